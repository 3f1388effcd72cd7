// How the doctor's report shows text that came from a server (URLs, error
// messages, field names) at a terminal: every line goes through terminalSafe
// before colour is added, so no escape sequence, control character or
// bidirectional override a server sends reaches the terminal raw. One
// function, so a shared escaping can replace it in one place.

/** C0 and C1 controls, DEL, and the invisible characters that reorder or hide text. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** One line of text with every unsafe character written as a visible \uXXXX escape. */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
