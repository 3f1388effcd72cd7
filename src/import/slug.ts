// Folder names for an app's files (`apps/<slug>/APP.md`): safe on every file
// system (lower-case ASCII letters, digits and hyphens; short; never a name
// Windows reserves) and unique within one import even when app names differ
// only in case or punctuation, which a case-insensitive file system or the
// slugging itself would otherwise merge.

/** Long enough to stay recognisable, short enough for deep checkouts on Windows. */
export const MAX_SLUG_LENGTH = 48;

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/;

/** The slug a name asks for, before collisions are resolved: "Beam calculator (v2)" -> "beam-calculator-v2". */
export function slugBase(name: string): string {
  const ascii = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
  let slug = ascii.replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  if (slug.length > MAX_SLUG_LENGTH) slug = slug.slice(0, MAX_SLUG_LENGTH).replace(/-+$/, '');
  if (slug === '') slug = 'app';
  if (WINDOWS_RESERVED.test(slug)) slug = `${slug}-app`;
  return slug;
}

/**
 * One slug per name, in the order given, all distinct. A name whose slug no
 * other name asks for keeps it; where several ask for the same slug, the
 * first keeps it and the others get `-2`, `-3`, ... (skipping any slug another
 * name asks for), so the result depends only on the names and their order.
 */
export function assignSlugs(names: readonly string[]): string[] {
  const bases = names.map(slugBase);
  const asked = new Set(bases);
  const taken = new Set<string>();
  return bases.map((base) => {
    let slug = base;
    for (let n = 2; taken.has(slug); n++) {
      const candidate = `${base}-${n}`;
      if (!asked.has(candidate)) slug = candidate;
    }
    taken.add(slug);
    return slug;
  });
}
