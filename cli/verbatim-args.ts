/**
 * cac parses with mri, which turns every value that looks like a number into
 * one: `--token 000123e5` became 12300000 and a 30-digit task id was rounded.
 * Every value CubQueue reads (tokens, hosts, ids, names, URLs, paths) is text,
 * so the arguments are given to cac with a NUL in front of numeric-looking
 * values (no argument can contain one, and it makes mri's `+value` NaN), and
 * the NUL is taken off what cac parsed. Numbers are then read by whoever needs
 * one (the config's zod schema, --lines), from the text as the user typed it.
 */
const MARK = "\u0000";

/** What mri would turn into a number. */
function looksNumeric(value: string): boolean {
  return value !== "" && Number.isFinite(+value);
}

/** The arguments, with each numeric-looking value (`123`, `-5`, `--x 123`, `--x=123`) protected from mri. */
export function shieldNumericArgs(args: readonly string[]): string[] {
  return args.map((arg) => {
    // A negative number (`--priority -5`) is a value, not a flag.
    if (!arg.startsWith("-") || looksNumeric(arg)) return looksNumeric(arg) ? MARK + arg : arg;
    const equals = arg.indexOf("=");
    if (!arg.startsWith("--") || equals === -1) return arg;
    const value = arg.slice(equals + 1);
    return looksNumeric(value) ? `${arg.slice(0, equals + 1)}${MARK}${value}` : arg;
  });
}

/** Takes the protection off a value cac parsed (a string, or a list for a repeated option). */
export function unshield<T>(value: T): T {
  if (typeof value === "string") return (value.startsWith(MARK) ? value.slice(1) : value) as T;
  if (Array.isArray(value)) return value.map(unshield) as T;
  return value;
}

/** Takes the protection off everything cac parsed: the positional arguments and the option values. */
export function unshieldParsed(parsed: { args: ReadonlyArray<string>; options: Record<string, unknown> }): void {
  parsed.args = parsed.args.map(unshield);
  for (const [name, value] of Object.entries(parsed.options)) parsed.options[name] = unshield(value);
}
