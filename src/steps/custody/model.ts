/** The content manifest of the final filesystem (custody step). */
export interface ContentManifest {
  schemaVersion: 1
}
