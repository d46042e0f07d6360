/** spdx-expression-parse 5 ships no types; its documented result shape (README "Usage"). */
declare module 'spdx-expression-parse' {
  interface LicenseInfo {
    license: string
    plus?: true
    exception?: string
  }
  interface ConjunctionInfo {
    conjunction: 'and' | 'or'
    left: LicenseInfo | ConjunctionInfo
    right: LicenseInfo | ConjunctionInfo
  }
  function parse(expression: string): LicenseInfo | ConjunctionInfo
  export = parse
}
