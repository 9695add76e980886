"""CJK fonts for the PDF: WeasyPrint finds fonts through fontconfig, so fontconfig's answer
(`fc-list :lang=zh`) tells whether Chinese will print as text or as boxes. A PDF with Chinese
text and no such font is refused with a message naming the package, never written in boxes."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from functools import cache

from mgov.errors import MgovError

PACKAGE = "fonts-noto-cjk"
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
MISSING = (f"未找到中文（CJK）字体，中文 PDF 将显示为方框，已拒绝生成。请安装 {PACKAGE}"
           f"（Debian/Ubuntu：sudo apt-get install {PACKAGE}，或以 root 运行 ./scripts/demo）。 / "
           f"No CJK font found: the PDF's Chinese text would print as boxes, so it was not written. "
           f"Install {PACKAGE} (Debian/Ubuntu: sudo apt-get install {PACKAGE}, or run ./scripts/demo as root).")


def cjk_families() -> tuple[str, ...] | None:
    """The font families fontconfig offers for Chinese; None when fontconfig cannot be asked
    (no fc-list: then nothing is refused on a guess)."""
    # The answer depends on fontconfig's configuration, which the environment can point elsewhere.
    return _families(os.environ.get("FONTCONFIG_FILE"), os.environ.get("FONTCONFIG_PATH"))


@cache
def _families(config_file: str | None, config_path: str | None) -> tuple[str, ...] | None:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        out = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True,  # noqa: S603 - fixed argv
                             timeout=30, check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    return tuple(sorted({line.split(",")[0].strip() for line in out.splitlines() if line.strip()}))


def needs_cjk(text: str) -> bool:
    return _CJK.search(text) is not None


def require_cjk_font(html: str) -> None:
    """Refuse (MgovError, in Chinese and English) a PDF of html when it has Chinese text and
    fontconfig knows no font for it."""
    if needs_cjk(html) and cjk_families() == ():
        raise MgovError(MISSING)
