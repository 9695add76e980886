"""Settings from the environment (MGOV_*) and an optional mgov.toml.

Precedence, highest first: explicit arguments, environment, mgov.toml, defaults.
The TOML file is ./mgov.toml, or the path in MGOV_CONFIG.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from mgov import zones
from mgov.errors import ConfigError, InvalidValue


class AuditPolicy(BaseSettings):
    """Which roles each channel kind needs, and where the one-per-unit rule applies."""

    model_config = SettingsConfigDict(extra="forbid")

    required_roles: dict[str, list[str]] = Field(
        default_factory=lambda: {
            "website": ["content_manager", "security_officer", "records_officer"],
            "mobile_site": ["content_manager", "security_officer"],
            "app_android": ["content_manager", "security_officer", "privacy_officer"],
            "app_ios": ["content_manager", "security_officer", "privacy_officer"],
            "mini_program": ["content_manager", "privacy_officer"],
            "wechat_account": ["new_media_operator", "content_manager"],
            "weibo_account": ["new_media_operator", "content_manager"],
            "other_social": ["new_media_operator", "content_manager"],
            "sms": ["content_manager"],
        }
    )
    # Roles held at the owner organization count for its channels too.
    inherit_org_roles: list[str] = Field(default_factory=list)
    # Tiers (per jurisdiction) where a unit may run one website (国办发〔2017〕47号: 县级以上
    # ...原则上一个单位最多开设一个网站) and one account per platform (国办发〔2018〕123号,
    # which says 一个单位 without a tier; add "township" to apply it everywhere).
    single_website_tiers: dict[str, list[str]] = Field(
        default_factory=lambda: {"cn": ["national", "provincial", "prefecture", "county"]}
    )
    single_account_tiers: dict[str, list[str]] = Field(
        default_factory=lambda: {"cn": ["national", "provincial", "prefecture", "county"]}
    )


class RecheckSettings(BaseModel):
    """[recheck] of mgov.toml: how a verdict that may rest on a passing fault is confirmed."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    delay: float = Field(default=2.0, ge=0)  # seconds between a channel's first attempt and its re-check
    # Channels re-checked at once (apart, not in a burst); unset: a quarter of the run's, at least 4.
    concurrency: int | None = Field(default=None, ge=1)


class SmtpSettings(BaseModel):
    """The mail server notifications go through ([smtp] of mgov.toml, MGOV_SMTP__HOST...)."""

    model_config = ConfigDict(extra="forbid")

    host: str = "127.0.0.1"
    port: int = 25
    sender: str = "mgov@localhost"
    starttls: bool = False
    username: str | None = None
    password: SecretStr | None = None
    timeout: float = 30.0


class WebSettings(BaseModel):
    """[web] of mgov.toml: how `mgov serve` sits behind a reverse proxy."""

    model_config = ConfigDict(extra="forbid")

    # Addresses or networks (CIDR) of the reverse proxies in front of mgov. Only from these are
    # X-Forwarded-For (the client's address, for the sign-in throttle and the logs) and
    # X-Forwarded-Proto (https: Secure cookies) believed; from anyone else they are ignored.
    trusted_proxies: list[str] = Field(default_factory=list)
    # Whether this server process runs the jobs started from the web and the API (scans, crawls,
    # assessments: mgov.act.jobs). false: they wait, queued, for a server that does.
    run_jobs: bool = True
    # Answers of the public verification (GET /api/v1/verify and /verify) per client address and
    # minute; past it, 429 with Retry-After. Each server process counts its own clients.
    verify_per_minute: int = Field(default=60, ge=1)



class ArchiveSettings(BaseModel):
    """[archive] of mgov.toml: the records archive's replay (pywb, docs/archive.md "Replay");
    other parts of the archive may add their own keys."""

    model_config = ConfigDict(extra="allow")

    # One pywb collection per organization ("per-org": each reader replays the organizations of
    # their scope) or one for everything ("all": for readers whose scope is the whole registry).
    replay_collections: str = "per-org"
    # The loopback port pywb listens on (mgov's web app proxies /replay/ to it).
    replay_port: int = Field(default=8091, ge=1, le=65535)
    # Where pywb's virtual environment, configuration and CDXJ indexes live (default <home>/replay).
    replay_dir: Path | None = None
    # pywb's own virtual environment (its pins clash with mgov's; default <home>/pywb-venv).
    pywb_venv: Path | None = None

    @field_validator("replay_collections")
    @classmethod
    def _collections(cls, value: str) -> str:
        if value not in ("per-org", "all"):
            raise ValueError(f"replay_collections {value!r}: choose per-org or all")
        return value

class RoutingSettings(BaseModel):
    """[routing] of mgov.toml: how the scheduler's jobs and the cluster's workers reach channels,
    as the --dns, --connect-to and --ca-bundle flags do for one command: an office's own
    resolver, a site reached at a known address, an intranet's certificate authority."""

    model_config = ConfigDict(extra="forbid")

    dns: str | None = None  # host[:port] of the resolver to ask (MGOV_ROUTING__DNS=10.0.0.53)
    connect_to: list[str] = Field(default_factory=list)  # host:port:address:port, as curl's --connect-to
    ca_bundle: str | None = None  # PEM file of certificate authorities trusted besides the system's


class ClusterSettings(BaseModel):
    """[cluster] of mgov.toml (MGOV_CLUSTER__BROKER=redis://...): where runs go when an office
    outgrows one machine. No broker: the embedded default (every run in the process that asks)."""

    model_config = ConfigDict(extra="forbid")

    broker: str | None = None  # redis://host:6379/0: Celery's broker, and where shared limits are kept
    result_backend: str | None = None  # not needed: progress is read from the database
    queue: str = "mgov"  # the queue runs are sent to and `mgov worker` takes from by default
    # Seconds before a task taken by a worker that vanished (kill -9, power loss) is handed to
    # another; longer than the longest channel (a crawl) takes, or it is done twice (harmlessly:
    # the second commit is refused by the database, but the work is spent).
    visibility_timeout: float = Field(default=3600.0, gt=0)
    shared_limits: str | None = None  # Redis URL of the shared politeness limits; unset: the broker's
    # A simulation on a controlled clock (a week of schedules in minutes): the workers run each
    # job at the time its dispatcher had, not their own. Never in production: findings would
    # carry the dispatch time. The clock is the process's: workers of a prefork pool (the
    # default) or --pool solo, one task a process at a time.
    simulated_clock: bool = False

    @property
    def configured(self) -> bool:
        return bool(self.broker)

    @property
    def limits_url(self) -> str | None:
        return self.shared_limits or self.broker


# The five fields of a cron time (minute hour day-of-month month day-of-week) and their ranges.
CRON_FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day", 1, 31), ("month", 1, 12), ("weekday", 0, 7))


def cron_values(text: str) -> list[frozenset[int]]:
    """The values each field of a cron time admits (*, N, N-M, lists and /steps; weekday 7 is
    Sunday, as 0); ValueError naming the field for anything else."""
    parts = text.split()
    if len(parts) != len(CRON_FIELDS):
        raise ValueError(f"cron time {text!r}: give 5 fields (minute hour day month weekday), e.g. '0 2 * * *'")
    out = []
    for part, (name, low, high) in zip(parts, CRON_FIELDS, strict=True):
        values: set[int] = set()
        for item in part.split(","):
            span, _, step_text = item.partition("/")
            try:
                step = int(step_text) if step_text else 1
                first, last = (low, high) if span == "*" else (
                    (int(span.split("-")[0]), int(span.split("-")[1])) if "-" in span else (int(span), int(span)))
            except ValueError:
                raise ValueError(f"cron time {text!r}: {name} {item!r} is not a number, range or step") from None
            if step < 1 or not low <= first <= last <= high:
                raise ValueError(f"cron time {text!r}: {name} {item!r} is outside {low}-{high}")
            values |= set(range(first, last + 1, step))
        out.append(frozenset(v % 7 for v in values) if name == "weekday" else frozenset(values))
    return out


# What a schedule entry runs (a job kind of mgov.act.jobs): the run kinds, availability probes,
# the archive's fixity audit (`mgov archive verify`), an assessment of the period just ended,
# and the notifications with their weekly digest (`mgov notify run --digest`).
SCHEDULE_KINDS = ("scan", "crawl", "render", "capture", "probe", "archive_audit", "assess", "digest")
TARGETED = ("scan", "crawl", "render", "capture", "probe")  # the kinds that run on an organization or channel
# An assessment runs just after the period it assesses ends, unless `at` says otherwise.
PERIOD_END_AT = {"quarter": "0 4 1 1,4,7,10 *", "month": "0 4 1 * *", "year": "0 4 1 1 *"}


class ScheduleEntry(BaseModel):
    """One [[schedule]] of mgov.toml (or of a guideline profile's defaults): what runs when,
    run by `mgov scheduler` / `mgov serve --scheduler` (mgov.scheduler)."""

    model_config = ConfigDict(extra="forbid")

    kind: str  # one of SCHEDULE_KINDS
    at: str = ""  # a cron time: minute hour day-of-month month day-of-week; assess: its period's end by default
    organization: str | None = None  # the subtree (an organization code); neither: everything
    channel: str | None = None  # or one channel's address
    profile: str | None = None  # assess: the guideline profile
    period: str = "quarter"  # assess: the period assessed: quarter, month or year (the one before the run)
    time_zone: str | None = None  # the zone of `at`; unset: the installation's time_zone, else UTC
    # N runs a day on the days `at` matches: the first at `at`'s time, the others every 24/N hours after.
    times_a_day: int | None = Field(default=None, ge=1, le=288)
    jitter: int = Field(default=0, ge=0, le=1440)  # minutes: each run moved later by up to this, fixed per day
    workdays_only: bool = False  # only on working days (the calendar: `calendar`, else the organization's)
    calendar: str | None = None  # cn or us; unset: the organization's jurisdiction, else cn
    sample: int | None = Field(default=None, ge=1)  # archive_audit: verify this many files (unset: all)
    # A run's limits (crawl: pages...; capture: platform_rate...), as the run kind's command takes them.
    limits: dict[str, Any] | None = None
    note: str | None = None

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        if value not in SCHEDULE_KINDS:
            raise ValueError(f"schedule kind {value!r}: choose {', '.join(SCHEDULE_KINDS)}")
        return value

    @model_validator(mode="after")
    def _target(self) -> ScheduleEntry:
        if self.organization and self.channel:
            raise ValueError("a schedule runs on an organization or a channel, not both")
        if self.kind == "assess" and (not self.profile or self.channel):
            raise ValueError("an assess schedule names its profile, and an organization or none (not a channel)")
        if self.kind not in TARGETED and self.kind != "assess" and (self.organization or self.channel):
            raise ValueError(f"a {self.kind} schedule runs on everything: give no organization or channel")
        if not self.at:
            if self.kind != "assess" and not self.times_a_day:
                raise ValueError(f"a {self.kind} schedule needs `at` (a cron time such as '0 2 * * *')")
            self.at = PERIOD_END_AT[self.period] if self.kind == "assess" else "0 0 * * *"
        if self.times_a_day and self.jitter * self.times_a_day > 1440:
            raise ValueError("jitter must leave the runs of a day apart: times_a_day x jitter over 24 hours")
        if self.limits and self.kind not in ("crawl", "render", "capture", "scan"):
            raise ValueError(f"a {self.kind} schedule takes no limits")
        if self.calendar not in (None, "cn", "us"):
            raise ValueError(f"schedule calendar {self.calendar!r}: choose cn or us")
        return self

    @field_validator("at")
    @classmethod
    def _at(cls, value: str) -> str:
        if value.strip():
            cron_values(value)
        return " ".join(value.split())

    @field_validator("period")
    @classmethod
    def _period(cls, value: str) -> str:
        if value not in ("quarter", "month", "year"):
            raise ValueError(f"schedule period {value!r}: choose quarter, month or year")
        return value

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        try:
            return zones.check(value)
        except InvalidValue as exc:
            raise ValueError(str(exc)) from exc


class Settings(BaseSettings):
    # "__" reaches nested settings from the environment: MGOV_SMTP__HOST=mail.example.gov
    model_config = SettingsConfigDict(env_prefix="MGOV_", extra="ignore", env_nested_delimiter="__")

    home: Path = Path(".mgov")
    database_url: str | None = None
    archive_dir: Path | None = None
    lang: str | None = None
    # Let scans reach private and loopback addresses (an intranet deployment); the
    # --allow-private flag does the same for one command.
    allow_private: bool = False
    audit: AuditPolicy = Field(default_factory=AuditPolicy)
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    recheck: RecheckSettings = Field(default_factory=RecheckSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    archive: ArchiveSettings = Field(default_factory=ArchiveSettings)
    cluster: ClusterSettings = Field(default_factory=ClusterSettings)
    routing: RoutingSettings = Field(default_factory=RoutingSettings)
    # [content] of mgov.toml: overrides of the crawl's content rules (mgov.content.rules),
    # e.g. column classes, placeholder phrases, expression dictionaries, thresholds.
    content: dict[str, Any] = Field(default_factory=dict)
    # Where users reach `mgov serve` (https://mgov.example.gov, or with a path prefix): the
    # base of the links the API answers with. Unset: links are relative, never from Host.
    public_url: str | None = None
    # The time zone (IANA name) of users with no organization and zone of their own, and of the
    # command line; unset: UTC for those users, the machine's zone for the command line.
    time_zone: str | None = None
    # [[schedule]] of mgov.toml: what runs when (ScheduleEntry), run by `mgov scheduler`.
    schedule: list[ScheduleEntry] = Field(default_factory=list)
    # Guideline profiles whose default [[schedule]] entries run too (beside those above).
    schedule_profiles: list[str] = Field(default_factory=list)

    @field_validator("time_zone")
    @classmethod
    def _time_zone(cls, value: str | None) -> str | None:
        try:
            return zones.check(value)
        except InvalidValue as exc:
            raise ValueError(str(exc)) from exc

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
            raise ValueError(f"public_url {value!r}: give an http(s) URL with a host, no query")
        return value.rstrip("/")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = Path(os.environ.get("MGOV_CONFIG", "mgov.toml"))
        return (
            init_settings,
            env_settings,
            TomlConfigSettingsSource(settings_cls, toml_file=toml_file),
        )

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return normalize_database_url(self.database_url)
        return f"sqlite:///{(self.home / 'mgov.db').resolve()}"

    @property
    def profile_dirs(self) -> list[Path]:
        """Where the user's own guideline profiles live: <home>/profiles, when that folder exists."""
        home = self.home / "profiles"
        return [home] if home.is_dir() else []

    @property
    def resolved_archive_dir(self) -> Path:
        return self.archive_dir or self.home / "archive"

    @property
    def resolved_replay_dir(self) -> Path:
        return self.archive.replay_dir or self.home / "replay"

    @property
    def resolved_pywb_venv(self) -> Path:
        return self.archive.pywb_venv or self.home / "pywb-venv"

    @property
    def language(self) -> str:
        """zh or en: MGOV_LANG, else the locale of the environment."""
        raw = self.lang or os.environ.get("LC_ALL") or os.environ.get("LANG") or "en"
        return "zh" if raw.lower().startswith("zh") else "en"


def normalize_database_url(url: str) -> str:
    """Let users write postgresql:// and get the psycopg 3 driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def load_settings(**overrides: Any) -> Settings:
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except Exception as exc:  # pydantic's ValidationError, TOML decode errors
        raise ConfigError(f"invalid settings: {exc}") from exc
