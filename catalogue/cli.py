"""What the command line says to people: errors, progress and results, in Chinese.

A key names one message; `say(key, **words)` fills it. Help texts stay beside their options (they
are the options' declarations), in Chinese; every other line a command prints comes from here.
"""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, str]] = {
    # settings and the project file
    "settings.unreadable": "{path}：无法读取（{reason}）",
    "settings.not_toml": "{path}：不是有效的 TOML 文件（{reason}）",
    "settings.unknown_key": "{path}：无法识别的设置 {keys}",
    "settings.not_date": "{what}：{raw} 不是日期（应为 YYYY-MM-DD）",
    "settings.bad_tls": "XXGK_SMTP_TLS：{value} 应为 none、starttls 或 ssl 之一",
    "settings.bad_port": "XXGK_SMTP_PORT：{value} 不是端口号",
    # the archive
    "archive.no_file": (
        "没有归档数据库 {where}：请在项目文件夹（含 xxgk.toml，如 demo/）中运行，或用 --db/--project 指向已有的归档；"
        "新建归档用 xxgk db upgrade、xxgk import 或 xxgk crawl"
    ),
    "archive.empty": (
        "数据库 {where} 中还没有归档：请用 --db/--project 指向已有的归档；"
        "新建归档用 xxgk db upgrade、xxgk import 或 xxgk crawl"
    ),
    "archive.read_only": "数据库 {where} 是只读的，无法存入任何内容",
    "archive.locked": "数据库 {where} 正被另一个进程锁定，请待其结束后再试",
    "archive.cannot_open": "无法打开 SQLite 数据库 {where}（所在文件夹是否存在、是否可写？）",
    "archive.cannot_connect": "无法连接数据库 {where}：{reason}",
    "archive.error": "数据库 {where} 出错：{reason}",
    "archive.bad_url": "--db：{url} 不是数据库地址（例如 sqlite:///xxgk.sqlite3 或 postgresql+psycopg://用户@主机/库名）",
    "archive.cannot_use": "--db：无法使用 {url}：{reason}",
    "archive.outdated": "数据库结构版本为 {current}，本版 xxgk 需要 {head}：请先运行 xxgk db upgrade",
    "archive.unknown_revision": "数据库结构版本 {current} 不为本版 xxgk 所知（是否由更新版本创建？）",
    "archive.foreign_tables": "该数据库中已有不属于 xxgk 归档的表：请使用空数据库或空 schema",
    # the dashboard and its accounts
    "serve.ready": "仪表板已启动：在浏览器中打开 {url} （按 Ctrl-C 停止）",
    "users.password_prompt": "密码：",
    "users.password_again": "再次输入密码：",
    "users.password_mismatch": "两次输入的密码不一致",
    "users.all_regions": "全部地区",
    "users.add": "已添加账号 {username}",
    "users.passwd": "已修改 {username} 的密码，此前的登录已全部失效",
    "users.remove": "已删除账号 {username}",
    "settings.project_header": (
        "# xxgk 项目设置：在本文件夹中运行的 xxgk 命令都读取这里的设置（命令行选项和环境变量优先）"
    ),
}


def say(key: str, **words: object) -> str:
    """The message `key` filled with `words`."""
    return MESSAGES[key].format(**words)
