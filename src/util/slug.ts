/** A name as a file-name part: lower case, runs of anything but letters and digits as one "-" ("With Partitions!" → "with-partitions"); `fallback` when nothing is left. */
export function slug(name: string, fallback = "x"): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || fallback;
}
