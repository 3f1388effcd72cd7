// The library API of p7apps: what `import … from 'p7apps'` gives.

export * from './appshub/types.js';
export type * from './config/desired.js';
export type * from './plan/types.js';
export type * from './plan/observed.js';
export { P7appsError, UsageError } from './errors.js';
export { AppsHubClient, createAppsHubClient, type AppsHubClientOptions } from './appshub/client.js';
// Runs (docs/runs.md): the client's run methods take and give these.
export * from './runs/types.js';
export { isRunDeletable, isRunEnded, runPhase, type RunPhase } from './runs/states.js';
export { connect, resolveCredentials, resolveServerUrl, type ConnectOptions, type Credentials } from './appshub/connect.js';
export { AppsHubError, type AppsHubErrorKind } from './appshub/errors.js';
export type { AppsHubRequestInfo, RetryPolicy, Timeouts, TransportOptions } from './appshub/http.js';
export type { RetryWaitLimits } from './appshub/retry-wait.js';
export { defineConfig, type P7appsConfig, type P7appsConfigFunction, type AppConfig, type VersionConfig, type DefaultsConfig, type WorkspaceConfig } from './config/define.js';
export { loadConfig, loadConfigEnvironments, ConfigError, type ConfigIssue, type LoadConfigOptions } from './config/load.js';
export { ENVIRONMENT_ENV } from './config/environments.js';
export { MAX_THUMBNAIL_BYTES, MAX_DESCRIPTION_FILE_BYTES, MAX_DESCRIPTION_LENGTH, MAX_APP_NAME_LENGTH } from './config/limits.js';
export { computePlan, fingerprintObservedApp } from './plan/compute.js';
export { planToDocument, type PlanDocumentV1 } from './plan/document.js';
export { planFromDocument } from './plan/document-read.js';
export { readObservedState, type ReadOptions } from './observe/read.js';
export { applyPlan, type ApplyOptions, type ApplyResult, type AppReport } from './apply/execute.js';
export { safetyCheck, safetyPolicy, enforceSafety, PlanRefusedError, DEFAULT_SAFETY_POLICY, SAFETY_FORMAT_VERSION, type SafetyVerdict, type ProtectedStep, type ProtectedChange, type GuardOptions } from './plan/safety.js';
export { compareWithReviewed, publishSteps, type PublishStep } from './plan/compare-reviewed.js';
export { DEFAULT_LATE_COMMIT_WINDOW_MS } from './apply/late-commit.js';
export { acquireApplyLock, LOCK_FILE_NAME, type HeldLock, type LockHolder, type LockOptions } from './apply/lock.js';
export { fanOut, recordEvents, type ApplyEvent, type ApplyHooks, type ApplyListener, type ApplyTotals, type PublishOutcome, type PublishReport } from './apply/events.js';
export { plan, drift, planWith, openServer, checkEnvironmentServer, readsBeforeConfig, loadDesiredState, selectApps, narrowsApps, type AppSelection, type PlanOptions, type PlanOutcome, type ServerOptions, type ConfigOptions, type StrictOption, type WaitOption } from './operations.js';
// Checks (docs/checks.md): check() runs the config's checks against what the server publishes; its report is a versioned JSON contract.
export { check, type CheckOptions } from './operations.js';
export { catalogPassed, CHECK_REPORT_FORMAT_VERSION, type CheckCatalogReport, type AppCheckResult, type AppCheckStatus } from './checks/catalog.js';
export { DEFAULT_CLEANUP_TIMEOUT_MS, type CheckReport } from './checks/run.js';
export { DEFAULT_CHECK_TIMEOUT_SECONDS, type CheckSpec, type CheckParameter, type ExpectedResult, type Expectation } from './checks/spec.js';
export type { CheckOutcome, ResultMismatch, GotValue } from './checks/evaluate.js';
export type { CheckEvent, CheckRef, RunCleanup } from './checks/events.js';
export { planWhenSettled, DEFAULT_SETTLE_SCHEDULE, type SettleOptions, type SettleSchedule, type Settled } from './settle/plan-when-settled.js';
export { computeDrift, DRIFT_FORMAT_VERSION, type DriftReport, type AppDrift, type DriftStatus, type DriftSummary } from './plan/drift.js';
export { planVerification, strictModeError, VERIFICATION_FORMAT_VERSION, type Verification, type UnverifiedField, type UnverifiedItem } from './plan/verification.js';
export { startEmulator, type EmulatorOptions, type RunningEmulator, type SeedDocument } from './emulator/index.js';
export { importCatalog, catalogToFiles, readCatalog, writeImport, ImportClashError, type ImportOptions, type ImportFiles, type ImportFile, type ImportFormat, type ImportSummary, type ImportWarning, type ServerCatalog, type CatalogApp, type CatalogThumbnail, type CatalogToFilesOptions, type ReadCatalogOptions, type WriteImportOptions, type WriteImportResult, type FileClash } from './import/index.js';
export { probeServer, type DoctorOptions } from './doctor/probe.js';
export { DOCTOR_FORMAT_VERSION, type DoctorReport, type DoctorVerdict, type DoctorProblem, type AssumptionFinding, type CapabilityFinding, type ListFinding, type TlsFinding, type AuthFinding, type ProbeRequest } from './doctor/report.js';
export { ASSUMPTIONS, CAPABILITIES, type Assumption, type AssumptionId, type AssumptionStatus, type AssumptionVerdict, type Capability, type WireEvidence } from './appshub/assumptions.js';
