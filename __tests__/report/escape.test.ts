import { describe, expect, it } from '@jest/globals'
import { escapeMarkdown, escapeSarifText, escapeTerminal } from '../../src/report/escape.js'

describe('escapeTerminal', () => {
  it.each([
    ['/usr/bin/su', '/usr/bin/su'],
    ['a\u001b[31mred\u001b[0m', 'a\\x1b[31mred\\x1b[0m'],
    ['tab\tnl\ncr\rdel\u007fc1\u009b', 'tab\\x09nl\\x0acr\\x0ddel\\x7fc1\\x9b'],
    [
      'bidi \u202a\u202b\u202c\u202d\u202e \u2066\u2067\u2068\u2069',
      'bidi \\u202a\\u202b\\u202c\\u202d\\u202e \\u2066\\u2067\\u2068\\u2069'
    ],
    [
      'marks \u200e\u200f\u061c zero-width \u200b\ufeff',
      'marks \\u200e\\u200f\\u061c zero-width \\u200b\\ufeff'
    ],
    ['separators \u2028\u2029', 'separators \\u2028\\u2029'],
    ['lone \ud800 pair \u{1f600}', 'lone \\ud800 pair \u{1f600}']
  ])('shows %j as %j', (value, shown) => {
    expect(escapeTerminal(value)).toBe(shown)
  })
})

describe('escapeMarkdown', () => {
  it.each([
    ['<!-- container-gate:0123 -->', '&lt;\\!-- container-gate:0123 --&gt;'],
    ['<img src=x onerror=alert(1)>', '&lt;img src=x onerror=alert(1)&gt;'],
    ['@octocat and #12 and GH-12', '@\u200boctocat and #\u200b12 and GH\u200b-12'],
    ['[x](javascript:alert(1)) ![i](u)', '\\[x\\](javascript:alert(1)) \\!\\[i\\](u)'],
    ['a|b\nc', 'a\\|b\\\\x0ac'],
    ['``x`` $math$ ~s~ *e* _u_', '\\`\\`x\\`\\` \\$math\\$ \\~s\\~ \\*e\\* \\_u\\_'],
    ['https://e.vil www.e.vil', 'https:\u200b//e.vil www\u200b.e.vil'],
    ['&lt; \\', '&amp;lt; \\\\']
  ])('escapes %j', (value, escaped) => {
    expect(escapeMarkdown(value)).toBe(escaped)
  })
})

describe('escapeSarifText', () => {
  it('escapes the brackets of an embedded link and shows invisible characters', () => {
    expect(escapeSarifText('[x](https://e.vil)\u202e')).toBe('\\[x\\](https://e.vil)\\u202e')
  })
})
