"""What `xxgk portals check` (and every command that reads the registry) says about a registry file.

Each problem is one line `file:line: where: what`, for the IT staff who fix it in an editor: the
messages of config.registry's own checks, what a value must look like (said plainly instead of as a
regular expression), and the validation library's error types in Chinese.
"""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, str]] = {
    "no_file": "{path}：文件不存在（用 --registry 或环境变量 XXGK_REGISTRY 指定门户登记表）",
    "unreadable": "{path}：无法读取（{reason}）",
    "not_yaml": "{where} 不是有效的 YAML：{problem}",
    "not_mapping": "{path}:1: 登记表应是一个映射（含 portals: 列表）",
    "problem": "{path}:{line}: {where}: {what}",
    "unquoted": '应为文字：YAML 把不加引号的 {raw} 读成了{kind}，请加上引号写成 "{raw}"',
    "yaml_bool": "是/否值", "yaml_number": "数字", "yaml_date": "日期",
    "duplicate_key": "{path}:{line}: 键 {key} 重复（第 {first} 行已有）：后写的会悄悄覆盖先写的，请删去一个",
    "aliases": "{path}:{line}: 锚点与别名（&、*）展开后多出 {n} 个以上的节点：请在登记表中直接写出各项",
    "recursive_alias": "{path}:{line}: 别名引用了包含它自己的节点",
    "top_level": "（顶层）",
    # config.registry's checks of the whole registry
    "duplicate_portal": "门户编号 {id} 已被 {first} 使用",
    "duplicate_agency": "单位 {name} 已在 {first} 登记",
    "shared_name": "名称或别名 {name} 同时属于本门户的多个单位",
    "unknown_parent": "上级单位 {parent} 不在登记表中",
    "bad_regex": "不是有效的正则表达式：{reason}",
    # a URL's host (config.hosts)
    "host.odd_form": "{host} 是 IP 地址的非常规写法（应写作 {address}）：抓取时会被拒绝",
    "host.mapped": "{host} 是内含 IPv4 地址的 IPv6 地址（应直接写 {address}）：抓取时会被拒绝",
    "host.refused": "{host} 是{kind}地址：抓取时会被拒绝",
}

# the kinds of address the crawler refuses (config.hosts.address_kind)
ADDRESS_KINDS: Final[dict[str, str]] = {
    "metadata": "云服务器元数据服务",
    "loopback": "本机（回环）",
    "link_local": "链路本地",
    "multicast": "组播",
    "private": "内网（私有）",
    "reserved": "保留或非公网",
}

# what a value must look like, by the name of its field
HINTS: Final[dict[str, str]] = {
    "region": '6 位的行政区划代码（乡镇 9 或 12 位，省市 2 或 4 位），加引号（"430381"）',
    "regions": "行政区划代码前缀（2、4、6、9 或 12 位），加引号",
    "email": "电子邮件地址", "supervisors": "电子邮件地址", "operators": "电子邮件地址",
    "maintainers": "电子邮件地址",
    "base_url": "以 http:// 或 https:// 开头的网址", "columns": "以 http:// 或 https:// 开头的网址",
    "hosts": "主机名，可带端口（cdn.example.gov.cn 或 cdn.example.gov.cn:8080）",
    "deadline": '月-日，如 "01-31"', "id": "字母、数字、_、- 或 .",
    "crawl": '五段的 crontab 时间表，如 "0 6 * * mon"',
    "crawl_at": '时刻，如 "06:00"', "digest_at": '时刻，如 "08:30"',
}
PATTERN: Final = "应为{hint}"
PATTERN_DEFAULT: Final = "文档所述的格式"

# the validation library's error types (pydantic), with the values it gives in `ctx`
TYPES: Final[dict[str, str]] = {
    "missing": "缺少此项",
    "extra_forbidden": "无法识别的键（是否拼写有误？）",
    "literal_error": "应为 {expected} 之一",
    "string_type": "应为文字",
    "string_too_short": "至少要有 {min_length} 个字",
    "int_type": "应为整数", "int_parsing": "应为整数", "int_from_float": "应为整数",
    "float_type": "应为数字", "float_parsing": "应为数字",
    "bool_type": "应为 true 或 false", "bool_parsing": "应为 true 或 false",
    "greater_than": "应大于 {gt}", "greater_than_equal": "应不小于 {ge}",
    "less_than": "应小于 {lt}", "less_than_equal": "应不大于 {le}",
    "list_type": "应为列表", "dict_type": "应为映射（键: 值）", "model_type": "应为映射（键: 值）",
    "model_attributes_type": "应为映射（键: 值）",
}
TYPE_DEFAULT: Final = "取值无效（{msg}）"


def say(key: str, /, **words: object) -> str:
    """The message `key` filled with `words`."""
    return MESSAGES[key].format(**words)
