"""The history of a project: every write keeps the state it replaced, so that
``kumuhgis restore STORE --to N`` can bring the project back (contracts.md ``history`` /
``restore``).

Each write (one :meth:`~kumuhgis.store.interface.Store.transaction`) gets a number and adds
one row per layer, project table or meta table it changed to ``kumuhgis_riwayat``
(:data:`HISTORY_COLUMNS`): who, when, the command, the source file, the rows added /
replaced / removed / kept, and *how to get the previous state back from the next one*:

* ``langkah`` (JSON): the previous frame as a list of pieces — runs of rows taken from the
  frame as this write left it (``["a", start, stop]``) and runs of rows stored here
  (``["b", count]``). Rows are matched by a hash of all their values (geometry as WKB,
  floats bit for bit), so a write that replaces 3 rows of 20,000 stores 3 rows;
* ``data``: the stored rows as Parquet (zstd), which keeps every dtype, the CRS and the
  geometry exactly; for the meta table, the previous values of the keys it changed (JSON);
* ``sidik``: a digest of the whole previous frame (columns, dtypes, CRS, every row), checked
  when the frame is rebuilt: a rebuilt state that is not exactly the recorded one is never
  written.

When the columns or dtypes changed, the whole previous frame is stored. Only the last
``riwayat_disimpan`` writes (a project setting, :data:`DEFAULT_KEEP`) keep their ``langkah``
and ``data``; older rows stay listed (``tersimpan`` = 0) without them.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from kumuhgis.core.errors import StoreError, UsageError
from kumuhgis.store.changes import frame_signature, row_hashes
from kumuhgis.store.keys import WriteChange

__all__ = [
    "DEFAULT_KEEP",
    "HISTORY_COLUMNS",
    "HISTORY_TABLE",
    "KEEP_SETTING",
    "HistoryRecorder",
    "frame_digest",
    "history_frame",
    "keep_count",
    "prune_through",
    "reverse_step",
    "undo_meta",
    "undo_step",
]

HISTORY_TABLE = "kumuhgis_riwayat"
#: The columns of the history table, in order, with their kind (``int``, ``text``, ``blob``).
HISTORY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("nomor", "int"),  # the write's number, 1 for the project's first
    ("waktu", "text"),
    ("pengguna", "text"),
    ("perintah", "text"),
    ("sumber", "text"),
    ("nama", "text"),  # the layer, project table or kumuhgis_meta
    ("jenis", "text"),  # layer | tabel | meta
    ("operasi", "text"),
    ("ditambah", "int"),
    ("diganti", "int"),
    ("dihapus", "int"),
    ("tetap", "int"),
    ("baris_sebelum", "int"),
    ("baris_sesudah", "int"),
    ("ada_sebelum", "int"),  # 1: the table existed before this write
    ("tersimpan", "int"),  # 1: the previous state is kept (not yet pruned)
    ("ukuran", "int"),  # bytes of data
    ("sidik", "text"),
    ("langkah", "text"),
    ("data", "blob"),
)
KEEP_SETTING = "riwayat_disimpan"
DEFAULT_KEEP = 20


def keep_count(settings: dict) -> int:
    """How many writes keep their previous state: the ``riwayat_disimpan`` setting (a
    whole number ≥ 0), else :data:`DEFAULT_KEEP`."""
    value = settings.get(KEEP_SETTING, DEFAULT_KEEP)
    try:
        keep = int(value)
    except (TypeError, ValueError):
        keep = -1
    if keep < 0 or isinstance(value, bool):
        raise UsageError(
            f"Pengaturan {KEEP_SETTING} harus bilangan bulat ≥ 0, bukan {value!r} / "
            f"setting {KEEP_SETTING} must be a whole number ≥ 0"
        )
    return keep


def prune_through(numbers: list[int], keep: int) -> int:
    """The last write number whose previous state is dropped when ``keep`` are kept (0:
    none)."""
    return max(max(numbers, default=0) - keep, 0)


# -- exact identity of frames -------------------------------------------------------------
def frame_digest(frame: pd.DataFrame | None) -> str:
    """A digest of everything a frame holds (``"-"`` for an absent table)."""
    if frame is None:
        return "-"
    digest = hashlib.sha256(frame_signature(frame).encode())
    digest.update(row_hashes(frame).tobytes())
    return digest.hexdigest()


# -- stored rows ---------------------------------------------------------------------------
def _encode(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame = frame.reset_index(drop=True)
    frame.to_parquet(buffer, compression="zstd", index=False, write_statistics=False)
    return buffer.getvalue()


def _decode(data: bytes, *, geo: bool) -> pd.DataFrame:
    reader = gpd.read_parquet if geo else pd.read_parquet
    return reader(io.BytesIO(bytes(data)))


def reverse_step(before: pd.DataFrame, after: pd.DataFrame | None) -> dict:
    """What a history row keeps to rebuild ``before`` from ``after``: ``langkah``,
    ``data``, ``ukuran`` and ``sidik`` (see the module's description)."""
    geo = isinstance(before, gpd.GeoDataFrame)
    same = after is not None and frame_signature(before) == frame_signature(after)
    if same:
        pieces, stored = _align(row_hashes(before), row_hashes(after))
    else:
        pieces, stored = ([["b", len(before)]] if len(before) else []), np.arange(len(before))
    data = _encode(before.iloc[stored])
    return {
        "langkah": json.dumps({"geo": geo, "pieces": pieces}),
        "data": data,
        "ukuran": len(data),
        "sidik": frame_digest(before),
    }


def _align(before: np.ndarray, after: np.ndarray) -> tuple[list, np.ndarray]:
    """Pieces that rebuild ``before`` from ``after``: each row of ``before`` is taken from
    the first unused row of ``after`` with the same hash further on, else stored."""
    where: dict[int, list[int]] = {}
    for position in range(len(after) - 1, -1, -1):
        where.setdefault(int(after[position]), []).append(position)
    pieces: list[list] = []
    stored: list[int] = []
    cursor = 0
    for row, value in enumerate(before.tolist()):
        candidates = where.get(value, [])
        while candidates and candidates[-1] < cursor:
            candidates.pop()
        if candidates:
            position = candidates.pop()
            cursor = position + 1
            if pieces and pieces[-1][0] == "a" and pieces[-1][2] == position:
                pieces[-1][2] = position + 1
            else:
                pieces.append(["a", position, position + 1])
        else:
            stored.append(row)
            if pieces and pieces[-1][0] == "b":
                pieces[-1][1] += 1
            else:
                pieces.append(["b", 1])
    return pieces, np.array(stored, dtype="int64")


def undo_step(after: pd.DataFrame | None, entry: dict) -> pd.DataFrame | None:
    """The frame before the write of history row ``entry``, rebuilt from the frame the
    write left (``after``). Raises :class:`StoreError` when the rebuilt frame is not
    exactly the recorded one."""
    if not entry["ada_sebelum"]:
        return None
    recipe = json.loads(entry["langkah"])
    stored = _decode(entry["data"], geo=recipe["geo"])
    parts, taken = [], 0
    for piece in recipe["pieces"]:
        if piece[0] == "a":
            if after is None or piece[2] > len(after):
                raise _damaged(entry)
            parts.append(after.iloc[piece[1] : piece[2]])
        else:
            parts.append(stored.iloc[taken : taken + piece[1]])
            taken += piece[1]
    frame = pd.concat(parts, ignore_index=True) if parts else stored.iloc[0:0]
    if recipe["geo"] and not isinstance(frame, gpd.GeoDataFrame):  # pragma: no cover
        frame = gpd.GeoDataFrame(frame, geometry=stored.geometry.name, crs=stored.crs)
    frame = frame.reset_index(drop=True)
    if frame_digest(frame) != entry["sidik"]:
        raise _damaged(entry)
    return frame


def _damaged(entry: dict) -> StoreError:
    return StoreError(
        f"Riwayat penulisan #{entry['nomor']} untuk {entry['nama']} tidak cocok dengan isi "
        f"proyek; pemulihan dibatalkan, proyek tidak berubah / the history of write "
        f"#{entry['nomor']} for {entry['nama']} does not match the project; restore "
        "cancelled, nothing changed"
    )


def undo_meta(after: dict[str, str], entry: dict) -> dict[str, str]:
    """The meta values before the write of ``entry`` (a key absent then is dropped)."""
    previous = json.loads(bytes(entry["data"]).decode("utf-8"))
    out = dict(after)
    for key, value in previous.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


# -- one write's rows -----------------------------------------------------------------------
@dataclass
class _Touch:
    kind: str  # layer | tabel
    before: pd.DataFrame | None
    operations: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    counts: np.ndarray = field(default_factory=lambda: np.zeros(4, dtype="int64"))
    rows_after: int = 0


class HistoryRecorder:
    """What one transaction changes, for its history rows: the state of every layer and
    table before the transaction first wrote it, and the counts of each write.

    The tables named in ``private`` (the logins) and the meta keys starting with
    ``secret_prefix`` (the session key) belong to the server, not to the city's data: they
    get no history row, so the history never holds a password hash or a key, and a
    restore leaves the logins and the secrets as they are."""

    def __init__(self, *, private: tuple[str, ...] = (), secret_prefix: str | None = None):
        self._touches: dict[str, _Touch] = {}
        self._private = frozenset(private)
        self._secret_prefix = secret_prefix
        self.copied: list[dict] | None = None  # a copied project's history (db copy)

    def touched(self, name: str) -> bool:
        return name in self._touches

    def remember(self, name: str, kind: str, before: pd.DataFrame | None) -> None:
        """The state of ``name`` before this transaction (kept from its first write)."""
        if name not in self._private:
            self._touches.setdefault(name, _Touch(kind=kind, before=before))

    def _secret(self, key: str) -> bool:
        return bool(self._secret_prefix) and str(key).startswith(self._secret_prefix)

    def note(self, change: WriteChange, *, source: str = "") -> None:
        """Count one write to a remembered layer or table."""
        if change.name in self._private:
            return
        touch = self._touches[change.name]
        touch.operations.append(change.mode)
        if source and source not in touch.sources:
            touch.sources.append(source)
        touch.counts += [change.added, change.replaced, change.removed, change.kept]
        touch.rows_after = change.rows_after

    def entries(
        self,
        *,
        number: int,
        head: dict,
        after: Callable[[str, str], pd.DataFrame | None],
        meta_before: dict[str, str] | None,
        meta_updates: dict[str, str | None],
    ) -> list[dict]:
        """The history rows of this write (``head``: ``waktu``, ``pengguna``, ``perintah``);
        ``after(name, kind)`` reads a table as the write leaves it."""
        rows = []
        for name, touch in self._touches.items():
            # the state the write left is only needed to rebuild the one before it
            now = None if touch.before is None else after(name, touch.kind)
            row = {
                **head,
                "nomor": number,
                "sumber": "; ".join(touch.sources),
                "nama": name,
                "jenis": touch.kind,
                "operasi": "+".join(dict.fromkeys(touch.operations)),
                **dict(zip(("ditambah", "diganti", "dihapus", "tetap"), touch.counts.tolist(), strict=True)),
                "baris_sebelum": 0 if touch.before is None else len(touch.before),
                "baris_sesudah": touch.rows_after if now is None else len(now),
                "ada_sebelum": int(touch.before is not None),
                "tersimpan": 1,
                "ukuran": 0,
                "sidik": None,
                "langkah": None,
                "data": None,
            }  # fmt: skip
            if touch.before is not None:
                row.update(reverse_step(touch.before, now))
            rows.append(row)
        changed = {k: v for k, v in meta_updates.items()
                   if (meta_before or {}).get(k) != v and not self._secret(k)}  # fmt: skip
        if changed:
            previous = {k: (meta_before or {}).get(k) for k in changed}
            data = json.dumps(previous, ensure_ascii=False, sort_keys=True).encode("utf-8")
            rows.append({**head, "nomor": number, "sumber": "", "nama": "kumuhgis_meta",
                         "jenis": "meta", "operasi": "meta", "ditambah": 0, "diganti": len(changed),
                         "dihapus": 0, "tetap": 0, "baris_sebelum": 0, "baris_sesudah": 0,
                         "ada_sebelum": 1, "tersimpan": 1, "ukuran": len(data), "sidik": None,
                         "langkah": None, "data": data})  # fmt: skip
        return rows


def history_frame(rows: list[dict] | list[tuple], *, data: bool = True) -> pd.DataFrame:
    """History rows (dicts, or tuples in :data:`HISTORY_COLUMNS` order) as a frame with
    the same dtypes on every backend; without ``langkah`` and ``data`` unless ``data``."""
    names = [n for n, _ in HISTORY_COLUMNS]
    frame = pd.DataFrame.from_records(list(rows), columns=names)
    for name, kind in HISTORY_COLUMNS:
        if kind == "int":
            frame[name] = pd.to_numeric(frame[name]).astype("int64")
        elif kind == "text":
            frame[name] = frame[name].astype(object).where(frame[name].notna(), None)
        else:
            frame[name] = [None if v is None else bytes(v) for v in frame[name]]
    return frame if data else frame.drop(columns=["langkah", "data"])
