"""The one catalogue of what xxgk tells people, in Chinese.

`findings` names cells and says what the validator found, `monitor` words the alerts and digests,
`terms` gives the Chinese name of every id the archive stores (levels, statuses, date sources…),
`cli` holds the command line's help texts and messages, `extract` says why a file could not be read.
Code takes every string a person reads from here; ids stay in `--json` output and in the 规则 column
of exports.
"""
