"""Receipt photos made for the tests with Pillow: invented shops and amounts, several fonts and
sizes, a slight rotation, blur and JPEG compression, totals with and without `€`, with thousands
separators. Each comes with the total it shows, in cents."""

from __future__ import annotations

import io
import random
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

FONT_DIRS = tuple(Path("/usr/share/fonts/truetype") / d for d in ("dejavu", "liberation"))
FONT_NAMES = (
    "DejaVuSans.ttf",
    "DejaVuSansMono.ttf",
    "DejaVuSerif.ttf",
    "DejaVuSansCondensed.ttf",
    "DejaVuSans-Bold.ttf",
    "LiberationSans-Regular.ttf",
    "LiberationMono-Regular.ttf",
    "LiberationSansNarrow-Regular.ttf",
)
SHOPS = ("Bakkerij De Korenaar", "Drukkerij Van Dam", "Bouwmarkt Noord", "Kantoorhuis Assen")
ITEMS = ("Koffie", "Papier A4", "Inkt zwart", "Enveloppen", "Parkeren", "Schroeven", "Verf wit")
LABELS = ("Totaal", "TOTAAL", "Te betalen", "Bedrag", "Totaal incl. btw")


def fonts() -> list[Path]:
    """The TrueType fonts of FONT_NAMES this machine has (Debian: fonts-dejavu, -liberation)."""
    return [d / n for d in FONT_DIRS for n in FONT_NAMES if (d / n).is_file()]


def tesseract_missing() -> str | None:
    """Why the receipt reader cannot be tested for real here, or None when it can."""
    binary = shutil.which("tesseract")
    if binary is None:
        return "tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-nld)"
    command = [binary, "--list-langs"]  # the tesseract on PATH, fixed arguments
    langs = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if "nld" not in langs.stdout.split():
        return "Tesseract has no Dutch language data (apt-get install tesseract-ocr-nld)"
    if not fonts():
        return "no DejaVu or Liberation fonts to draw receipts with (fonts-dejavu-core)"
    return None


def dutch(cents: int, grouped: bool = True) -> str:
    """12345678 → '123.456,78' (or '123456,78' without grouping)."""
    euros, rest = divmod(cents, 100)
    whole = f"{euros:,}".replace(",", ".") if grouped else str(euros)
    return f"{whole},{rest:02d}"


@dataclass(frozen=True)
class ReceiptImage:
    """One generated receipt photo and the total it shows."""

    jpeg: bytes
    total_cents: int
    description: str


def receipt(seed: int) -> ReceiptImage:
    """A receipt photo, the same for the same seed."""
    r = random.Random(seed)
    total = r.choice((r.randint(100, 9_999), r.randint(10_000, 999_999)))
    currency = r.choice(("", "", "€ ", "€", "EUR "))
    grouped = r.random() < 0.8
    label = r.choice(LABELS)
    lines: list[str | tuple[str, str]] = [
        r.choice(SHOPS),
        f"Dorpsstraat {r.randint(1, 99)}, Assen",
        f"{r.randint(10, 28)}-{r.randint(10, 12)}-2026 {r.randint(8, 19)}:{r.randint(10, 59)}",
        "",
    ]
    for _ in range(r.randint(2, 5)):
        lines.append((r.choice(ITEMS), dutch(r.randint(50, max(60, total // 3)))))
    lines.append("")
    if r.random() < 0.3:  # a subtotal and a discount above the total
        discount = r.randint(10, 500)
        lines += [("Subtotaal", dutch(total + discount)), ("Korting", f"-{dutch(discount)}")]
    shown = currency + dutch(total, grouped)
    if r.random() < 0.2:  # the amount on the line under its label
        lines += [label, ("", shown)]
    else:
        lines.append((label, shown))
    lines.append(("BTW 21%", dutch(total * 21 // 121)))
    if r.random() < 0.7:
        lines.append(("Pin", dutch(total)))
    lines.append("Bedankt en tot ziens!")
    font_path = r.choice(fonts())
    size = r.randint(15, 30)
    look = Look(
        rotation=r.uniform(-2.5, 2.5),
        blur=r.uniform(0.0, 1.1),
        quality=r.randint(30, 85),
        paper=r.randint(215, 255),
        ink=r.randint(0, 70),
    )
    jpeg = _draw(lines, font_path, size, look)
    description = f"seed {seed}: {font_path.name} {size}px, {look}, {label!r} {shown}"
    return ReceiptImage(jpeg, total, description)


@dataclass(frozen=True)
class Look:
    """How the photo looks: a slight rotation, blur, JPEG quality, grey paper and ink."""

    rotation: float
    blur: float
    quality: int
    paper: int
    ink: int

    def __str__(self) -> str:
        return (
            f"{self.rotation:+.1f}°, blur {self.blur:.1f}, JPEG {self.quality}, "
            f"paper {self.paper}, ink {self.ink}"
        )


def _draw(lines: list[str | tuple[str, str]], font_path: Path, size: int, look: Look) -> bytes:
    from PIL import Image, ImageDraw, ImageFilter, ImageFont  # the [test] extra

    font = ImageFont.truetype(str(font_path), size)
    width, height = 640, int(size * 1.5)
    image = Image.new("L", (width, height * len(lines) + 60), look.paper)
    draw = ImageDraw.Draw(image)
    for index, line in enumerate(lines):
        y = 30 + index * height
        if isinstance(line, tuple):
            draw.text((30, y), line[0], font=font, fill=look.ink)
            right = width - 30 - draw.textlength(line[1], font=font)
            draw.text((right, y), line[1], font=font, fill=look.ink)
        else:
            draw.text((30, y), line, font=font, fill=look.ink)
    image = image.rotate(
        look.rotation, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=look.paper
    )
    if look.blur:
        image = image.filter(ImageFilter.GaussianBlur(look.blur))
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=look.quality)
    return out.getvalue()
