"""User-facing messages of the command line in English and Chinese (zh-CN)."""

from __future__ import annotations

from typing import Any

MESSAGES: dict[str, tuple[str, str]] = {
    # key: (en, zh)
    "initialized": ("Initialized mgov in {home} (database {db})", "已在 {home} 初始化 mgov（数据库 {db}）"),
    "upgraded": ("Database at revision {rev}", "数据库已升级到版本 {rev}"),
    "current": ("Database revision: {rev} (this mgov needs {head})", "数据库版本：{rev}（本程序需要 {head}）"),
    "created": ("Created {what} {key}", "已创建{what} {key}"),
    "updated": ("Updated {what} {key}", "已更新{what} {key}"),
    "user_unlocked": ("Unlocked {user}: cleared failed sign-ins from {count} address(es)",
                      "已解除 {user} 的锁定：清除了 {count} 个地址的登录失败记录"),
    "unchanged": ("Nothing to change for {what} {key}", "{what} {key} 无需更改"),
    "closed": ("Closed {what} {key}", "已关闭{what} {key}"),
    "import_summary": ("{read} rows read from {file}: {bad} bad, {changes} changes",
                       "从 {file} 读取 {read} 行：错误 {bad} 行，变更 {changes} 项"),
    "dry_run": ("Dry run: nothing was stored", "试运行：未保存任何数据"),
    "strict_refused": ("--strict: {bad} bad rows, nothing was stored", "--strict：有 {bad} 行错误，未保存任何数据"),
    "nothing_imported": ("Nothing could be imported from {file}", "{file} 中没有可导入的数据"),
    "bad_rows": ("Bad rows (not imported)", "错误行（未导入）"),
    "more_rows": ("... and {n} more (use --limit, filters or --json)",
                  "……另有 {n} 行（可用 --limit、筛选条件或 --json）"),
    "exported": ("Exported to {file}: {counts}", "已导出到 {file}：{counts}"),
    "audit_summary": ("{n} findings in {channels} open channels", "{channels} 个在用渠道中发现 {n} 个问题"),
    "audit_clean": ("No findings: every channel has an owner and its responsible people",
                    "未发现问题：每个渠道都有主办单位和责任人"),
    "demo_verified": ("Demo farm: {sites} sites, {defects} seeded defects, {detected} reported by their checks; "
                      "{false_alarms} false alarms",
                      "演示站群：{sites} 个网站，预置缺陷 {defects} 个，被对应检查发现 {detected} 个；"
                      "误报 {false_alarms} 个"),
    "demo_crawl_verified": ("Crawl {epoch} of the demo farm: {sites} sites, {pages} pages, {defects} seeded content "
                            "defects, {detected} reported by their checks; {false_alarms} false alarms",
                            "演示站群第 {epoch} 次抓取：{sites} 个网站，{pages} 个页面，预置内容缺陷 {defects} 个，"
                            "被对应检查发现 {detected} 个；误报 {false_alarms} 个"),
    "demo_capture_verified": ("Capture {epoch} of the demo farm's new media: {sites} accounts, {defects} seeded "
                              "defects, {detected} reported by their checks; {false_alarms} false alarms",
                              "演示站群政务新媒体第 {epoch} 次采集：{sites} 个账号，预置缺陷 {defects} 个，"
                              "被对应检查发现 {detected} 个；误报 {false_alarms} 个"),
    "demo_apps_verified": ("The demo's apps: {sites} Android packages, {defects} verdicts their packages call for, "
                           "{detected} given by their checks; {false_alarms} false alarms",
                           "演示应用：{sites} 个安卓安装包，按其内容应有问题结论 {defects} 项，检查给出 {detected} 项；"
                           "误报 {false_alarms} 个"),
    "demo_discovered": ("Discovery on the demo farm's platforms: {units} units searched ({searches} searches), "
                        "{found} of {expected} unregistered accounts found; {extra} others",
                        "演示站群平台账号发现：搜索 {units} 个单位（{searches} 次），发现未备案账号 {found} 个"
                        "（应有 {expected} 个）；其他 {extra} 个"),
    "demo_assessed": ("Assessment {assessment} ({profile}, {period}): {verdicts}; {tasks} rectification tasks opened",
                      "考核 {assessment}（{profile}，{period}）：{verdicts}；新开整改任务 {tasks} 个"),
    "rechecked": ("re-checked {channels} channels apart ({findings} verdicts that may rest on a passing fault): "
                  "{recovered} recovered, the rest confirmed ({seconds} s)",
                  "复查 {channels} 个渠道（{findings} 项可能受偶发故障影响的结论）："
                  "{recovered} 项恢复正常，其余经复查确认（{seconds} 秒）"),
    "demo_serving": ("The dashboard is at {url} (Ctrl-C stops it)", "管理平台地址：{url}（按 Ctrl-C 停止）"),
    "demo_login": ("  sign in as {username} / {password} ({role} {organization})",
                   "  登录：{username} / {password}（{role} {organization}）"),
    "organization": ("organization", "单位"),
    "person": ("person", "人员"),
    "channel": ("channel", "渠道"),
    "role": ("role assignment", "职务"),
    "user": ("user", "用户"),
    "error": ("Error", "错误"),
    "no_rows": ("(none)", "（无）"),
    # mgov notify
    "notify_added": ("Added notification target {id}: {kind} {address} ({scope}; events: {events})",
                     "已添加通知对象 {id}：{kind} {address}（{scope}；事件：{events}）"),
    "notify_secret": ("Webhook signing secret (shown only now; give it to the receiver): {secret}",
                      "Webhook 签名密钥（仅显示这一次，请交给接收方保存）：{secret}"),
    "notify_removed": ("Deactivated notification target {id}; its delivery record stays",
                       "已停用通知对象 {id}，其发送记录保留"),
    "notify_everyone": ("the whole registry", "全部单位"),
    "notify_sent": ("target {target} ({address}): {event}, {items} item(s) sent",
                    "通知对象 {target}（{address}）：{event} {items} 项，已发送"),
    "notify_failed": ("target {target} ({address}): {event}, {items} item(s) failed (tried again next run): {error}",
                      "通知对象 {target}（{address}）：{event} {items} 项发送失败（下次运行时重试）：{error}"),
    "notify_would_send": ("target {target} ({address}): {event}, {items} item(s) would be sent",
                          "通知对象 {target}（{address}）：{event} {items} 项，将发送"),
    "notify_nothing": ("Nothing new to notify", "没有需要发送的新通知"),
    "notify_summary": ("{sent} message(s) sent, {failed} failed", "已发送 {sent} 条消息，失败 {failed} 条"),
    "notify_event_veto": ("veto failures", "单项否决"),
    "notify_event_overdue": ("overdue tasks", "逾期整改"),
    "notify_event_digest": ("weekly digest", "每周汇总"),
    "assess_incomplete": ("incomplete: {share} of its monitored indicators not assessed; no score, not ranked "
                          "(what was assessed gives {observed})",
                          "监测不完整：{share} 的监测指标未评估；不计分，不参与排名（已评估部分得分 {observed}）"),
    "assess_incomplete_n": ("incomplete {n} (not ranked)", "监测不完整 {n}（不参与排名）"),
    # mgov tasks: working on a rectification task
    "notify_event_escalated": ("escalated tasks", "提级督办"),
    "task_assigned": ("task {id}: assigned to {person}", "任务 {id}：已交由 {person} 整改"),
    "task_commented": ("task {id}: comment added", "任务 {id}：已添加评论"),
    "task_evidence_added": ("task {id}: evidence {evidence} of the fix added", "任务 {id}：已添加整改证明 {evidence}"),
    "task_escalated": ("task {id}: escalated to {to} (level {level})",
                       "任务 {id}：已提级至 {to} 督办（第 {level} 级）"),
    "task_recheck_requested": ("re-check asked for: task(s) {ids}; the next run of their checks decides",
                               "已申请复查：任务 {ids}；下一次运行相应检查时判定"),
    "task_recheck_run": ("re-checking with {kind} run {run} ...", "正在以{kind}运行 {run} 复查……"),
    "task_rechecked": ("re-checked: closed {closed} · still failing {still} · could not tell {unchecked}",
                       "复查结果：已整改关闭 {closed} · 仍未通过 {still} · 无法判定 {unchecked}"),
    # A CLI that objects: refused filters, file types, the runs findings show, left-out rows
    "bad_choice": ("unknown {option} {value!r}: choose from {choices}",
                   "{option} 的取值 {value!r} 无效，可选：{choices}"),
    "no_such_channel": ("no such channel: {address}", "没有这个渠道：{address}"),
    "no_such_org": ("no such organization: {code}", "没有这个单位：{code}"),
    "no_such_person": ("no such person: {key}", "没有这个人员：{key}"),
    "showing_of": ("showing {n} of {total} (filters narrow the list; --json, or the output piped, has every row)",
                   "显示 {total} 行中的 {n} 行（可用筛选条件缩小范围；--json 或重定向输出时显示全部行）"),
    "all_hint": ("--all shows every row", "加 --all 显示全部行"),
    "findings_runs": ("Findings of {runs}", "以下运行的检查结果：{runs}"),
    "findings_run": ("{kind} run {id} of {date}", "{date} 的{kind}运行 {id}"),
    "run_kind_scan": ("scan", "扫描"),
    "run_kind_crawl": ("crawl", "抓取"),
    "bad_extension": ("{file}: unknown file type {ext!r}: name it {choices}",
                      "{file}：不支持的文件类型 {ext!r}，文件名应以 {choices} 结尾"),
    "format_conflict": ("--format {fmt} contradicts {file}: name the file .{fmt}, or leave out --format",
                        "--format {fmt} 与文件名 {file} 矛盾：请把文件命名为 .{fmt}，或不写 --format"),
    "json_conflict": ("--json contradicts --format {fmt}: give one of them",
                      "--json 与 --format {fmt} 矛盾：请只给一个"),
    "people_newest": ("--all shows every row; a person just added: mgov person list --sort newest (or --search NAME)",
                      "加 --all 显示全部行；刚添加的人员：mgov person list --sort newest（或 --search 姓名）"),
    "demo_logins_when_serving": ("The demo logins are printed when the dashboard is served (mgov demo)",
                                 "演示登录账号在启动管理平台时显示（mgov demo）"),
    # Ranks and re-runs: an assessment's counts and versions
    "assess_channels_n": ("channels {n}", "检查渠道 {n}"),
    "assess_version": (" (version {n})", "（第 {n} 版）"),
    "assess_superseded": ("version {n}, replaced by assessment {newer} of the same period",
                          "第 {n} 版，已被同一周期的考核 {newer} 取代"),
}

HEADERS: dict[str, str] = {
    "code": "代码", "name": "名称", "name_zh": "中文名称", "name_en": "英文名称", "tier": "层级",
    "jurisdiction": "辖区", "parent": "上级单位", "region_code": "区划代码", "active": "有效",
    "key": "标识", "email": "电子邮件", "phone": "电话", "kind": "类型", "address": "地址",
    "owner": "主办单位", "status": "状态", "tags": "标签", "person": "人员", "organization": "单位",
    "role": "职务", "since": "起", "until": "止", "rule": "规则", "severity": "级别",
    "subject": "对象", "reason": "原因", "count": "数量", "type": "类别", "created": "新增",
    "updated": "更新", "unchanged": "未变", "line": "行", "source": "文件", "event": "事件",
    "date": "日期", "note": "备注", "check": "检查项", "message": "说明", "evidence": "证据",
    "pass": "通过", "fail": "不通过", "warn": "警告", "error": "错误", "not_applicable": "不适用",
    "id": "编号", "title": "标题", "probes": "探测次数", "failed": "失败次数", "failure_ratio": "失败率",
    "enough_probes": "探测充足", "veto": "单项否决", "attributes": "登记属性", "no_external_service": "无对外服务",
    "responsible": "责任人",
    "url": "链接", "outcome": "检测结果", "homepage": "位于首页", "pages": "所在页面数",
    "rank": "排名", "verdict": "结论", "score": "得分", "grade": "等级", "vetoes": "单项否决项",
    "not_assessed": "未评估项", "trend": "变化", "points": "分值", "complete": "监测完整",
    "events": "事件", "lang": "语言", "created_at": "创建时间",
    "assignee": "整改责任人", "assignees": "渠道责任人", "escalated_to": "督办单位", "escalation_level": "督办级别",
    "recheck_requested_at": "申请复查时间",
}

# Columns of the tables that show assessments, tasks, disputes and users (issue 15).
HEADERS.update({
    "indicator": "指标", "indicator_id": "指标编号", "profile_id": "指标体系", "assessment_id": "考核批次",
    "opened_on": "开启日期", "due_on": "整改期限", "assignees": "责任人", "escalated_to": "升级至",
    "closed_on": "关闭日期",
    "filed_by": "申诉人", "filed_at": "申诉时间", "reviewer": "审核人", "decision_note": "裁定说明",
    "username": "用户名", "display_name": "姓名", "last_login_at": "最近登录", "scan_status": "扫描状态",
    "run": "扫描批次", "value": "测量值", "count": "数量", "time_zone": "时区",
})


# One audit log (issue 15 item 5): mgov audit list.
MESSAGES.update({
    "audit_more": ("(the newest {limit} entries; narrow the filters or raise --limit for more)",
                   "（最新的 {limit} 条；可缩小筛选范围或加大 --limit 查看更多）"),
})
HEADERS.update({"at": "时间", "actor": "操作人", "face": "途径", "action": "操作", "change": "变更内容"})


# Reviewer inspections (issue 17): mgov inspection list / show.
HEADERS.update({
    "period": "考核期", "answered": "已填写", "items": "检查项数", "instances": "问题数", "files": "证据文件",
    "confirmation": "复核", "counted": "已计入考核",
})


# The render pass and mgov inspect (issue 16).
MESSAGES.update({
    "run_kind_render": ("render", "渲染"),
})


# mgov discover (issue 17).
MESSAGES.update({
    "discover_summary": ("{units} units searched on {platforms}: {searches} searches, {returned} accounts returned, "
                         "{registered} registered; {new} new candidates, {again} seen again; {errors} searches failed "
                         "· mgov discover list --state new",
                         "在 {platforms} 上搜索了 {units} 个单位：搜索 {searches} 次，返回账号 {returned} 个，"
                         "其中已登记 {registered} 个；新发现疑似账号 {new} 个，再次发现 {again} 个；"
                         "搜索失败 {errors} 次 · mgov discover list --state new"),
    "discover_decided": ("Discovered account {id} ({address}): {state}", "发现的账号 {id}（{address}）：{state}"),
})
HEADERS.update({"platform": "平台", "matched": "匹配名称", "confirmed_as": "认定为",
                })  # first_seen, last_seen: below, shared with mgov posts
# New-media capture (issue 17): mgov capture and mgov posts.
MESSAGES.update({
    "run_kind_capture": ("capture", "采集"),
    "capture_counts": ("added: {posts} new posts, {versions} post versions ({edited} edited, {deleted} deleted, "
                       "{restored} restored), {profiles} account profile versions · mgov posts",
                       "新增：帖文 {posts} 条，帖文版本 {versions} 个（修改 {edited} 条，删除 {deleted} 条，"
                       "恢复 {restored} 条），账号资料版本 {profiles} 个 · mgov posts"),
    "import_unreadable": ("cannot import {file}: {reason}", "无法导入 {file}：{reason}"),
    "import_rows_skipped": ("{file}: {n} row(s) cannot be read and are skipped:",
                            "{file}：{n} 行无法读取，已跳过："),
})
HEADERS.update({
    "post_id": "帖文编号", "published": "发布时间", "versions": "版本数", "edits": "修改次数", "deleted": "已删除",
    "deleted_at": "删除时间", "first_seen": "首次记录", "last_seen": "最近记录", "version": "版本", "change": "变化",
    "seen_at": "采集时间", "text": "正文", "digest": "摘要值",
})
# App packages: mgov app analyze and the app pass (issue 18).
MESSAGES.update({
    "run_kind_app": ("app", "应用检测"),
    "app_analysed": ("{file}: the package", "{file}：安装包信息"),
})
HEADERS.update({"fact": "项目", "platform": "平台", "package": "包名", "app_name": "应用名称",
                "version_name": "版本", "version_code": "版本号", "min_sdk": "最低 SDK", "target_sdk": "目标 SDK",
                "min_os": "最低系统版本", "sha256": "SHA-256", "size": "大小"})
# The records archive (issue 19): mgov archive cdx, import, verify, repair.
MESSAGES.update({
    "archive_imported": ("{file}: {records} records indexed as {name}", "{file}：已索引 {records} 条记录，存为 {name}"),
    "archive_duplicate": ("{file}: the same bytes are in the archive already as {name}; not imported again",
                          "{file}：档案中已有相同内容的文件 {name}，不再重复导入"),
    "archive_import_problem": ("{name}: {problem}", "{name}：{problem}"),
    "archive_recovered": ("{file}: left open by a writer that died; kept {kept} of {size} bytes{tail}",
                          "{file}：写入进程异常退出时未关闭；保留 {kept}/{size} 字节{tail}"),
    "archive_tail": (", the rest moved to {tail}", "，其余部分已移至 {tail}"),
    "archive_repaired": ("{n} file(s) sealed; the index is up to date", "已封存 {n} 个文件；索引已更新"),
    "archive_problem": ("{file} @ {offset}: {what}", "{file} @ {offset}：{what}"),
    "archive_manifest_bad": ("The manifest itself: {what}", "清单文件本身：{what}"),
    "archive_live": ("{n} file(s) being written now were not checked", "{n} 个正在写入的文件未检查"),
    "archive_verified": ("{files} file(s), {records} records, {mb} MB checked in {seconds} s ({rate} MB/s): "
                         "{verdict}",
                         "已检查 {files} 个文件、{records} 条记录、{mb} MB，用时 {seconds} 秒（{rate} MB/s）："
                         "{verdict}"),
    "archive_intact": ("intact", "完好"),
    "archive_damaged": ("{n} problem(s)", "发现 {n} 处问题"),
    "archive_no_digests": ("{n} record(s) carry no WARC digest to check", "{n} 条记录没有可供校验的 WARC 摘要"),
    "archive_revisits": ("{n} revisit payload digest(s) name the original capture and were not checked",
                         "{n} 条重复访问（revisit）记录的载荷摘要指向原始采集，未校验"),
})


def t(lang: str, message: str, /, **kwargs: Any) -> str:
    en, zh = MESSAGES[message]
    return (zh if lang == "zh" else en).format(**kwargs)


def header(lang: str, column: str) -> str:
    return HEADERS.get(column, column) if lang == "zh" else column.replace("_", " ")
# The records archive's replay and change history (issue 19): mgov archive replay, history, diff, changes.
MESSAGES.update({
    "replay_setting_up": ("Setting up pywb ({pywb}) in its own environment {venv}",
                          "正在为 pywb（{pywb}）准备独立运行环境 {venv}"),
    "replay_indexed": ("{collections} collection(s) indexed for pywb ({rows} index lines written); configuration "
                       "{config}",
                       "已为 pywb 建立 {collections} 个馆藏的索引（写入 {rows} 行索引）；配置文件 {config}"),
    "replay_running": ("pywb listens on {url} (loopback, answering mgov only); readers replay captures through "
                       "mgov's web app at {base}<collection>/<timestamp>/<url>. Ctrl-C stops it.",
                       "pywb 正在 {url} 监听（仅本机，只响应 mgov）；用户通过 mgov 网页端回放："
                       "{base}<馆藏>/<时间戳>/<网址>。按 Ctrl-C 停止。"),
    "replay_refreshed": ("Index refreshed: {rows} new line(s), {collections} collection(s)",
                         "索引已更新：新增 {rows} 行，共 {collections} 个馆藏"),
    "history_none": ("No capture of {url} in the archive", "档案中没有 {url} 的采集记录"),
    "history_year": ("{year}: {count} capture(s) (by month: {months})", "{year} 年：采集 {count} 次（按月：{months}）"),
    "diff_between": ("{url}: the capture of {before} against that of {after}",
                     "{url}：{before} 的采集与 {after} 的采集对比"),
    "diff_same": ("No difference in text or links", "文字和链接均无变化"),
    "diff_link": ("link", "链接"),
    "diff_counts": ("{added} line(s) added, {removed} removed; {links_added} link(s) added, {links_removed} removed",
                    "新增 {added} 行、删除 {removed} 行；新增链接 {links_added} 个、删除 {links_removed} 个"),
    "changes_window": ("{channel} from {since} to {until}: {new} new, {gone} gone, {changed} changed, "
                       "{unchanged} unchanged", "{channel}（{since} 至 {until}）：新增 {new} 个、消失 {gone} 个、"
                       "变化 {changed} 个、未变 {unchanged} 个网址"),
    "changes_new": ("new", "新增"),
    "changes_gone": ("gone", "消失"),
    "changes_changed": ("changed", "变化"),
    "changes_no_crawl": ("No crawl of the channel ran in this window: URLs it did not capture are not counted as gone",
                         "此时间段内该渠道未进行全站抓取：未采集到的网址不计为消失"),
})
# The scheduler (issue 20): mgov schedule, mgov scheduler.
HEADERS.update({"number": "序号", "schedule": "计划", "target": "对象", "last_run_at": "上次运行",
                "last_job": "上次作业",
                "last_state": "上次结果", "next_due_at": "下次运行", "overdue": "逾期", "missed": "错过次数"})
MESSAGES.update({
    "schedule_none": ("No schedule: add [[schedule]] entries to mgov.toml (README, \"Schedules\")",
                      "未配置计划：在 mgov.toml 中添加 [[schedule]] 条目（见 README“计划任务”）"),
    "schedule_overdue": ("{n} schedule(s) overdue: is a scheduler running? (mgov scheduler, or mgov serve --scheduler)",
                         "{n} 项计划已逾期：调度器是否在运行？（mgov scheduler，或 mgov serve --scheduler）"),
    "schedule_lease": ("Scheduler: {holder}, lease until {until}", "调度器：{holder}，租约至 {until}"),
    "schedule_no_lease": ("No scheduler is running", "没有正在运行的调度器"),
    "schedule_started": ("Started job {id}: {kind} {target}", "已启动作业 {id}：{kind} {target}"),
    "schedule_nothing_due": ("Nothing is due", "当前没有到期的计划"),
    "schedule_waiting": ("Another scheduler holds the lease ({holder}): waiting to take over",
                         "另一个调度器持有租约（{holder}）：等待接管"),
    "scheduler_running": ("Scheduler running ({n} schedule(s)); Ctrl-C stops it",
                          "调度器运行中（{n} 项计划）；按 Ctrl-C 停止"),
})
# Distributed runs (issue 20): mgov worker, mgov runs, --cluster.
MESSAGES.update({
    "cluster_sent": ("{kind} run {run}: {sent} channels sent to the cluster's workers; follow it with `mgov runs`",
                     "{kind} 运行 {run}：已将 {sent} 个渠道发往集群的工作进程；用 `mgov runs` 查看进度"),
    "cluster_states": ("{done} done · {running} running · {queued} queued · {failed} failed",
                       "完成 {done} · 进行中 {running} · 排队 {queued} · 失败 {failed}"),
    "worker_starting": ("Worker {name}: {concurrency} processes taking queue(s) {queues} from {broker}",
                        "工作进程 {name}：{concurrency} 个进程，从 {broker} 领取队列 {queues} 的任务"),
    "no_runs": ("No run yet", "尚无运行记录"),
})
HEADERS.update({"started_at": "开始时间", "done": "已完成", "running": "进行中", "queued": "排队中"})
