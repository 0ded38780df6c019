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
    "settings.bad_broker": "broker_url：{url} 不是 Redis（redis://…）或 RabbitMQ（amqp://…）的地址",
    "settings.sqlite_broker": (
        "设置了 broker_url（分布式模式），但归档是 SQLite 数据库：多台机器共用的归档须是 PostgreSQL（--db postgresql+psycopg://…）"
    ),
    # distributed mode (jobs/)
    "jobs.no_broker": "未设置 broker_url（xxgk.toml 或环境变量 XXGK_BROKER_URL）：单进程模式没有任务队列和工作进程",
    "jobs.snapshots_local": (
        "分布式模式下各台机器须共用存档文件：请设置 XXGK_SNAPSHOTS=database（存入数据库），"
        "或设为各台机器挂载的同一共享文件夹的绝对路径"
    ),
    "worker.queues": "--queues：{queues} 中有不认识的队列（可用：{known}）",
    "worker.concurrency": "--concurrency：{n} 应为正整数",
    "jobs.bad_seconds": "{name}：{value} 不是正的秒数",
    "jobs.store_failed": "{url}：未能存入归档（数据库出错），稍后重试",
    "jobs.crawl_too_long": (
        "登记表的 monitor.crawl_timeout（{timeout} 秒）须短于任务队列的可见超时减去余量（{longest} 秒），"
        "否则运行中的抓取会被再次派发：请调小 crawl_timeout 或调大 XXGK_JOB_VISIBILITY"
    ),
    "jobs.broker_down": "无法连接任务队列 {broker}：{reason}",
    "jobs.standby": "另一个调度器正在运行（PostgreSQL 咨询锁 {lock} 被占用）：本调度器待命，对方停止后接替",
    "jobs.leader": "本调度器取得 PostgreSQL 咨询锁 {lock}，开始调度",
    "jobs.status_title": "任务队列（{broker}）",
    "jobs.workers_title": "工作进程",
    "jobs.failed_title": "失败的任务（最近 {days} 天，共 {n} 个）",
    "jobs.no_workers": "没有在线的工作进程：请在各台机器上运行 xxgk worker",
    "jobs.once_enqueued": "已派发抓取任务 {crawls} 个（{portals} 个门户）、OCR 任务 {ocr} 个",
    "jobs.once_waiting": "等待工作进程完成任务……",
    "jobs.once_timeout": "等待 {seconds} 秒后仍有 {n} 个任务未完成：它们会继续运行，结果在下次检查时计入",
    "settings.not_bool": "{path}：{name} 应为 true 或 false",
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
    # files and the archive commands
    "files.none_in_folder": "{path}：该文件夹中没有报告文件（txt、md、html、pdf、docx、doc、xlsx、图片等）",
    "files.missing": "{path}：文件或文件夹不存在",
    "files.unreadable_folder": "{path}：无法读取该文件夹（{reason}），其中的文件未处理",
    "files.previous": "--previous {path}：{reason}",
    "files.unreadable": "{path}：{reason}",
    "files.out": "--out {path}：{reason}",
    "import.one_url": "--url 只对应一份报告：请只给一个文件",
    "import.failed_file": "{path}：{reason}",
    "reparse.fails": "报告 #{id}（{agency} {year}年）：解析器现在读不出它：{reason}",
    "reparse.snapshot": "报告 #{id}：{reason}",
    "reparse.some_failed": "{n} 份报告未能重新读取，见上方",
    "query.out_needs_format": "--out 需要 --format csv、json 或 xlsx",
    "query.xlsx_tty": "XLSX 是二进制文件：请用 --out 文件名.xlsx 保存",
    "show.target": "show：请给出报告编号，或单位名称和年度（如 xxgk show 湘乡市民政局 2024）",
    "show.none_of": "归档中没有 {agency} {year} 年度的报告",
    "show.several": "有 {n} 份报告符合，显示 #{first}（最早发布的一份）；其余：{others}",
    "show.no_id": "归档中没有编号为 #{id} 的报告",
    "review.done": "检查结果 #{id}（{rule}）已标记为“{state}”",
    "db.at_head": "数据库结构版本为 {head}{was}",
    "db.was": "（原为 {before}）",
    "db.empty": "空",
    "import.no_agency": "报告中没有写明单位全称：请用 --agency 指明",
    "import.no_year": "读不出报告的年度：请用 --year 指明",
    "review.no_finding": "归档中没有编号为 #{id} 的检查结果",
    "snapshot.missing": "存档文件 {digest}… 不在 {root} 中",
    "snapshot.unreadable": "存档文件 {path} 无法读取：{reason}",
    "snapshot.corrupt": "存档文件 {path} 已损坏：内容与其 sha256 不符",
    "snapshot.db_failed": "无法在数据库中读写存档文件：{reason}",
    "alert.none": "发件箱中没有编号为 #{id} 的提醒",
    "monitor.bad_cron": "门户 {portal}：抓取时间表 {cron} 有误：{reason}",
    "crawl.timed_out": "抓取未在 {seconds} 秒内完成，已停止",
    "crawl.child_failed": "抓取进程异常退出（退出码 {code}），请查看抓取日志",
    "crawl.other_job": "{dir} 中是另一次（登记表、门户或区划不同的）未完成抓取：请用相同的选项接着抓取，或换一个文件夹",
    "year.not_a_year": "{raw} 不是报告年度",
    # the registry and crawls
    "crawl.unknown_portal": "{registry} 中没有这些门户：{ids}",
    "crawl.which": "请指明抓取哪些门户：--portal 编号（可重复）、--region 区划代码 或 --all",
    "crawl.resuming": "接着 {dir} 中停下的抓取继续",
    "crawl.job_locked": "{dir} 正被另一个抓取进程使用：请等它结束，或换一个文件夹",
    "crawl.stopping": "正在停止：等进行中的请求完成并保存抓取状态；再按一次 Ctrl-C 立即结束",
    "crawl.stopped": "抓取已停止{hint}",
    "crawl.failed": "{reason}（日志：{log}）{hint}",
    "crawl.resume_hint": "；用同一个 --resume {dir} 再次运行即可接着抓取",
    "crawl.progress": "抓取进度：{line}",
    "portals.ok": (
        "{registry}：检查通过 — {portals} 个门户（启用 {enabled} 个），{agencies} 个单位，{supervisors} 位监督人员"
    ),
    # the monitor and the alert outbox
    "monitor.setting": "--crawl-setting {pair}：应为 名称=值",
    "monitor.as_of_once": "--as-of 只能与 --once 一起使用：常驻的调度器按真实时间运行",
    "monitor.crawl_failed": "抓取失败：{reason}",
    "smtp.dropped": "发信服务器 {server} 断开了连接：{reason}",
    "smtp.unreachable": "无法连接发信服务器 {server}：{reason}",
    "smtp.login": "发信服务器 {server} 拒绝了 {user} 的登录：{reason}",
    "smtp.unusable": "无法使用发信服务器 {server}：{reason}",
    "mail.not_configured": "未配置发信服务器（SMTP）：{n} 条提醒仍在待发送队列中",
    "mail.retry": "{reason}；{n} 条提醒仍在队列中，稍后重试",
    "mail.still_queued": "{reason}；{n} 条提醒仍在队列中",
    "mail.refused": "收件服务器永久拒收：{reason}",
    "mail.sent": (
        "已发送 {digests} 封邮件，含 {alerts} 条提醒；{deferred} 条暂缓，{refused} 条被拒收；仍有 {queued} 条待发送"
    ),
    "mail.none_pending": "没有待发送的邮件",
    "alert.closed": "提醒 #{id} 已{how}：此后不再就此发送邮件或提醒",
    # the simulator
    "sim.share": "{raw} 不是 0 到 1 之间的比例",
    "sim.at_least_one": "--portals：至少要有一个门户",
    "sim.cannot_listen": "无法监听端口 {port}：{reason}",
    # the demo
    "demo.step_sim": "[bold]1/4[/] 启动模拟门户网站：{portals} 个（种子 {seed}，模拟日期 {as_of}）",
    "demo.step_crawl": "[bold]2/4[/] 抓取全部门户，解析、检查并存入归档…",
    "demo.crawled": "      {portals} 个门户，年报页面 {pages} 个，附件 {files} 个，用时 {seconds:.0f} 秒",
    "demo.step_status": "[bold]3/4[/] 按法定期限核对 {year} 年度报告",
    "demo.counts": "      {year} 年度 {agencies} 个单位：{parts}；表格数据有误 {inconsistent}",
    "demo.worst_title": "最需要关注的 {n} 个单位",
    "demo.unread": (
        "      其中图片版报告 {n} 份已按“已发布 · 待读取”存档："
        "xxgk monitor 每次抓取后、核对前识别其文字（--ocr 则在抓取时识别）"
    ),
    "demo.step_mail": "[bold]4/4[/] 生成提醒邮件（写入本地文件夹，不发送）",
    "demo.mails": "      {n} 封提醒邮件已写入 {folder}/",
    "demo.where": (
        "项目文件夹 {project}/：归档 xxgk.sqlite3、设置 xxgk.toml、门户登记表 registry.yaml、邮件 mail/、日志 logs/"
    ),
    "demo.next": "[bold]接下来可以（复制即可运行）：[/]",
    "demo.mail_hint": "  用浏览器打开 {folder}/ 中的 HTML 文件，即是监督人员收到的提醒邮件",
    "demo.path_hint": "  （先运行 source .venv/bin/activate，之后直接输入 xxgk 即可）",
    "demo.dashboard": (
        "[bold]监测看板：[/]运行 {command}，再用浏览器打开 http://127.0.0.1:8000/ ，"
        "用户名 admin，密码 {password}（也记在 {file}）"
    ),
    "demo.login_note": "xxgk 演示看板 http://127.0.0.1:8000/ 用户名 admin 密码 {password}",
    # argparse's own words, and a mistake on the command line as one line
    "usage.error": "{prog}：{message}（用 {prog} --help 查看用法）",
    # an option's value of the wrong kind (xxgk.commands.values)
    "value.port": "{raw} 不是端口号（0 至 65535）",
    "value.seconds": "{raw} 不是秒数（应大于 0）",
    "value.at_least_one": "{raw} 应为不小于 1 的整数",
    "value.not_negative": "{raw} 应为不小于 0 的数",
    "value.positive": "{raw} 应为大于 0 的数",
    "value.day": "{raw} 不是日期（应为 YYYY-MM-DD）",
    # the dashboard and its accounts
    "serve.ready": "仪表板已启动：在浏览器中打开 {url} （按 Ctrl-C 停止）",
    "users.password_prompt": "密码：",
    "users.password_again": "再次输入密码：",
    "users.password_mismatch": "两次输入的密码不一致",
    "users.no_password": "没有读到密码：请在终端中运行，或用 --password-stdin 从标准输入给出",
    "users.all_regions": "全部地区",
    "users.add": "已添加账号 {username}",
    "users.passwd": "已修改 {username} 的密码，此前的登录已全部失效",
    "users.remove": "已删除账号 {username}",
    # what a status rests on (store.evidence): the crawl, and what it could not read
    "evidence.complete": "第{run}次抓取完整",
    "evidence.incomplete": "第{run}次抓取不完整：{faults}",
    "evidence.more": "等{n}处",
    "evidence.none": "尚无抓取记录，仅依据归档",
    "evidence.fault": "{fault} {url}",
    "crawl.faults": "未能完整读取的页面和文件（{n}处）：相关机关未见的年报记为“{unconfirmed}”，而非“{missing}”",
    "crawl.fault": "{portal}　{fault}　{url}",
    "crawl.more_faults": "……另有{n}处（完整清单：xxgk crawl --json）",
    "show.absent": "{agency} {year}年：{status}　截止：{deadline}",
    "show.days_late": "　已过截止 {days} 天",
    "show.evidence": "依据：{evidence}",
    "show.reading": "读取：{reading}（{why}），表格识别后才检查",
    "settings.project_header": (
        "# xxgk 项目设置：在本文件夹中运行的 xxgk 命令都读取这里的设置（命令行选项和环境变量优先）"
    ),
}


def say(key: str, **words: object) -> str:
    """The message `key` filled with `words`."""
    return MESSAGES[key].format(**words)


# The words argparse prints itself (it looks them up through gettext): the same texts in Chinese.
ARGPARSE: Final[dict[str, str]] = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "optional arguments": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的取值 %(value)r（可选：%(choices)s）",
    "invalid %(type)s value: %(value)r": "%(value)r 不是有效的 %(type)s 值",
    "expected one argument": "需要一个值",
    "expected at least one argument": "至少需要一个值",
    "expected at most one argument": "最多只能有一个值",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 有歧义，可能是 %(matches)s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "ignored explicit argument %r": "忽略了多余的值 %r",
    "one of the arguments %s is required": "必须给出参数 %s 之一",
    "%(prog)s: error: %(message)s\n": "%(prog)s：%(message)s\n",
}


def argparse_text(message: str) -> str:
    """gettext for argparse: its own words in Chinese, anything else unchanged."""
    return ARGPARSE.get(message, message)
