"""Scoring by domain.md §4: the published example, band edges, half-up rounding, zero
denominators, the 19-criteria rule set, property tests, explanations and outputs."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from kumuhgis.analysis.scoring import (
    average_hundredths,
    explain,
    level_summary,
    percent_hundredths,
    score,
    to_micro,
)
from kumuhgis.core.errors import ValidationError
from kumuhgis.core.rules import load_rules
from kumuhgis.core.schema import CRITERIA_CODES, CRITERIA_CODES_02_2016
from kumuhgis.outputs.score_files import write_scores

# domain.md §4 golden example: Kab. Jombang, Kel. Sumbermulyo, RT01-RW05
GOLDEN_HEADER = {
    "luas_ha": 4.63,
    "jumlah_bangunan": 50,
    "jumlah_penduduk": 201,
    "jumlah_kk": 60,
    "panjang_jalan_ideal_m": 780.0,
    "panjang_drainase_ideal_m": 385.0,
}
GOLDEN_VOLUMES = [13, 0, 13, 100, 605, 54, 0, 0, 0, 310, 10, 16, 60, 60, 50, 50]
GOLDEN_P = [26, 0, 26, 12.82, 77.56, 90, 0, 0, 0, 80.52, 16.67, 26.67, 100, 100, 100, 100]
GOLDEN_N = [1, 0, 1, 0, 5, 5, 0, 0, 0, 5, 0, 1, 5, 5, 5, 5]
GOLDEN_ASPECTS = [17.33, 45.19, 45.00, 26.84, 21.67, 100, 100]
ASPECT_COLUMNS = [
    "rata_bangunan", "rata_jalan", "rata_air_minum", "rata_drainase",
    "rata_air_limbah", "rata_persampahan", "rata_kebakaran",
]  # fmt: skip


def golden_row(**changes) -> dict:
    row = {"kode_rt": "RT01-RW05", "tahun": 2016, **GOLDEN_HEADER}
    row.update({f"v_{c}": float(v) for c, v in zip(CRITERIA_CODES, GOLDEN_VOLUMES, strict=True)})
    row.update(changes)
    return row


def zero_row(**changes) -> dict:
    """All volumes 0, denominators 10 000 (so volume v gives exactly v/100 %)."""
    row = {
        "kode_rt": "X", "tahun": 2020, "luas_ha": 10000.0, "jumlah_bangunan": 10000, "jumlah_penduduk": 1,
        "jumlah_kk": 10000, "panjang_jalan_ideal_m": 10000.0, "panjang_drainase_ideal_m": 10000.0,
    }  # fmt: skip
    row.update({f"v_{c}": 0.0 for c in CRITERIA_CODES})
    row.update(changes)
    return row


def test_published_example_reproduces_to_the_last_digit():
    out = score(pd.DataFrame([golden_row()])).iloc[0]
    assert [out[f"p_{c}"] for c in CRITERIA_CODES] == GOLDEN_P
    assert [out[f"n_{c}"] for c in CRITERIA_CODES] == GOLDEN_N
    assert [out[c] for c in ASPECT_COLUMNS] == GOLDEN_ASPECTS
    assert out["total_nilai"] == 38
    assert out["tingkat"] == "KS"  # 38 → kumuh sedang
    assert out["rata_sektoral"] == 50.86


def test_output_columns_follow_the_contract_and_input_is_untouched():
    frame = pd.DataFrame([golden_row(), golden_row(kode_rt="B")], index=[10, 20])
    before = frame.copy()
    out = score(frame)
    pd.testing.assert_frame_equal(frame, before)
    assert list(out.index) == [10, 20]
    added = list(out.columns[len(frame.columns) :])
    assert added == [
        *(f"p_{c}" for c in CRITERIA_CODES),
        *(f"n_{c}" for c in CRITERIA_CODES),
        *ASPECT_COLUMNS,
        "rata_sektoral",
        "total_nilai",
        "tingkat",
    ]
    assert out["n_1a"].dtype == np.int64 and out["p_1a"].dtype == np.float64
    # scoring a scored frame again gives the same frame (old score columns replaced)
    pd.testing.assert_frame_equal(score(out), out)


@pytest.mark.parametrize(
    "volume, p, n",
    [
        # volume / 10 000 × 100 = volume / 100 %
        (2499, 24.99, 0),
        (2500, 25.00, 1),
        (5099, 50.99, 1),
        (5100, 51.00, 3),
        (7599, 75.99, 3),
        (7600, 76.00, 5),
        (10000, 100.0, 5),
    ],
)
def test_band_edges(volume, p, n):
    out = score(pd.DataFrame([zero_row(v_1a=float(volume))])).iloc[0]
    assert out["p_1a"] == p
    assert out["n_1a"] == n


def test_band_edges_are_applied_to_the_rounded_percentage():
    # 75.995 % rounds half up to 76.00 → 5; 24.994999.. % rounds to 24.99 → 0
    rows = [zero_row(v_1a=7599.5), zero_row(v_1a=2499.4999)]
    out = score(pd.DataFrame(rows))
    assert list(out["p_1a"]) == [76.0, 24.99]
    assert list(out["n_1a"]) == [5, 0]


def test_half_up_where_binary_floats_round_the_wrong_way():
    # computed in binary floats, 26.315 % comes out as 26.314999999999998 and rounds down
    assert round(5263 / 20000 * 100, 2) == 26.31
    assert round(100 * 526.3 / 2000, 2) == 26.31
    assert round(100 * 10.526 / 40, 2) == 26.31
    rows = [
        zero_row(v_1a=5263.0, jumlah_bangunan=20000),  # 5263/20000 = 26.315 % exactly → 26.32
        zero_row(v_2b=526.3, panjang_jalan_ideal_m=2000.0),  # 26.315 % → 26.32
        zero_row(v_4b=10.526, panjang_drainase_ideal_m=40.0),  # 26.315 % → 26.32
        zero_row(v_1a=26.315, jumlah_bangunan=100),  # 26.315/100 → 26.32
        zero_row(v_1a=1.0, jumlah_bangunan=800),  # 0.125 % → 0.13
        zero_row(v_1a=1.0, jumlah_bangunan=3),  # 33.333… % → 33.33
        zero_row(v_1a=2.0, jumlah_bangunan=3),  # 66.666… % → 66.67
        zero_row(v_1a=1.005, jumlah_bangunan=100),  # 1.005 % (binary 1.00499…) → 1.01
    ]
    out = score(pd.DataFrame(rows))
    assert out["p_2b"].iloc[1] == 26.32
    assert out["p_4b"].iloc[2] == 26.32
    assert list(out["p_1a"].iloc[[0, 3, 4, 5, 6, 7]]) == [26.32, 26.32, 0.13, 33.33, 66.67, 1.01]


def test_aspect_average_is_the_half_up_mean_of_rounded_percentages():
    # 2a 26.31 %, 2b 26.32 %: mean 26.315 → 26.32 (a float mean gives 26.314999… → 26.31)
    # 1a 0.01 %, 1b 0 %, 1c 0 %: mean 0.00333 → 0.00; 1a 0.02: mean 0.00667 → 0.01
    rows = [zero_row(v_2a=2631.0, v_2b=2632.0, v_1a=1.0), zero_row(v_1a=2.0)]
    out = score(pd.DataFrame(rows))
    assert out["rata_jalan"].iloc[0] == 26.32
    assert out["rata_bangunan"].tolist() == [0.0, 0.01]
    # sectoral = mean of the 7 aspect averages: (0 + 26.32 + 0 × 5) / 7 = 3.76
    assert out["rata_sektoral"].iloc[0] == 3.76


def test_aspect_average_uses_rounded_not_raw_percentages():
    # 1a 0.005 % (→ 0.01), 1b 0.005 % (→ 0.01), 1c 0 %: the mean of the rounded values is
    # 0.00667 → 0.01, whereas the mean of the raw values, 0.00333, would give 0.00
    row = zero_row(v_1a=0.5, v_1b=0.5)
    out = score(pd.DataFrame([row])).iloc[0]
    assert (out["p_1a"], out["p_1b"], out["p_1c"]) == (0.01, 0.01, 0.0)
    assert out["rata_bangunan"] == 0.01


def test_cap_at_100_and_zero_denominators():
    row = golden_row(v_2b=2000.0, jumlah_kk=0, jumlah_bangunan=0, v_1a=5.0)
    out = score(pd.DataFrame([row])).iloc[0]
    assert out["p_2b"] == 100.0 and out["n_2b"] == 5  # 2000 m of 780 m is capped at 100 %
    for c in ("1a", "1c", "7a", "7b", "3a", "3b", "5a", "5b", "6a", "6b"):
        assert out[f"p_{c}"] == 0.0 and out[f"n_{c}"] == 0  # denominator 0 → 0
    # remaining scores: 1b 0, 2a 0, 2b 5, 4a 0, 4b 0, 4c 5 → total 10 → TK
    assert out["total_nilai"] == 10
    assert out["tingkat"] == "TK"


def test_level_edges_for_permen_14_2018():
    # n = 5 for k criteria at 100 %, one criterion at 25 % adds 1
    def total_row(fives: int, ones: int) -> dict:
        codes = list(CRITERIA_CODES)
        vol = {f"v_{c}": 10000.0 for c in codes[:fives]}
        vol.update({f"v_{c}": 2500.0 for c in codes[fives : fives + ones]})
        return zero_row(**vol)

    rows = [
        total_row(12, 0),
        total_row(11, 4),
        total_row(7, 3),
        total_row(7, 2),
        total_row(3, 1),
        total_row(3, 0),
    ]
    out = score(pd.DataFrame(rows))
    assert out["total_nilai"].tolist() == [60, 59, 38, 37, 16, 15]
    assert out["tingkat"].tolist() == ["KB", "KS", "KS", "KR", "KR", "TK"]


def row_02_2016(**changes) -> dict:
    row = zero_row(**{f"v_{c}": 0.0 for c in CRITERIA_CODES_02_2016})
    row.update(changes)
    return row


def test_the_19_criteria_rule_set():
    # drainage 4a..4e = 10, 20, 30, 40, 51 %: scores 0, 0, 1, 1, 3; mean (10+20+30+40+51)/5 = 30.2
    # waste 6a..6c = 100, 100, 50.5 %: scores 5, 5, 1; mean 250.5/3 = 83.5
    # total 0+0+1+1+3 + 5+5+1 = 16 → TK under 02/2016 (KR starts at 19), KR under 14/2018 bands
    row = row_02_2016(
        v_4a=1000.0,
        v_4b=2000.0,
        v_4c=3000.0,
        v_4d=4000.0,
        v_4e=5100.0,
        v_6a=10000.0,
        v_6b=10000.0,
        v_6c=5050.0,
    )
    out = score(pd.DataFrame([row]), rules="permen-02-2016").iloc[0]
    assert [out[f"n_{c}"] for c in ("4a", "4b", "4c", "4d", "4e", "6a", "6b", "6c")] == [
        0,
        0,
        1,
        1,
        3,
        5,
        5,
        1,
    ]
    assert out["rata_drainase"] == 30.2
    assert out["rata_persampahan"] == 83.5
    # sectoral = (0 + 0 + 0 + 30.2 + 0 + 83.5 + 0) / 7 = 16.242… → 16.24
    assert out["rata_sektoral"] == 16.24
    assert out["total_nilai"] == 16
    assert out["tingkat"] == "TK"
    assert "p_4e" in out.index and "n_6c" in out.index


def test_19_criteria_level_edges_and_overridden_bands():
    # 14 criteria at 100 % → 70 (KS under 02/2016: 45–70); 15 → 75 (KB: 71–95)
    def fives(k):
        return row_02_2016(**{f"v_{c}": 10000.0 for c in CRITERIA_CODES_02_2016[:k]})

    out = score(
        pd.DataFrame([fives(14), fives(15), fives(9), fives(8), fives(4), fives(3)]),
        rules="permen-02-2016",
    )
    assert out["total_nilai"].tolist() == [70, 75, 45, 40, 20, 15]
    assert out["tingkat"].tolist() == ["KS", "KB", "KS", "KR", "KR", "TK"]
    settings = {"aturan_override": {"permen-02-2016": {"levels": {"KB": {"min_total": 70}}}}}
    again = score(pd.DataFrame([fives(14)]), rules="permen-02-2016", settings=settings)
    assert again["tingkat"].tolist() == ["KB"]


def test_19_criteria_needs_its_extra_volume_columns():
    with pytest.raises(ValidationError) as exc:
        score(pd.DataFrame([golden_row()]), rules="permen-02-2016")
    missing = {p.column for p in exc.value.problems}
    assert missing == {"v_4d", "v_4e", "v_6c"}


def test_2b_denominator_can_be_the_existing_road_length():
    settings = {
        "aturan_override": {
            "permen-14-2018": {"criteria": {"2b": {"denominator": "panjang_jalan_eksisting_m"}}}
        }
    }
    # 605 m damaged of 1210 m existing road = 50 % → 1 (of 780 m ideal it was 77.56 % → 5)
    row = golden_row(panjang_jalan_eksisting_m=1210.0)
    out = score(pd.DataFrame([row]), settings=settings).iloc[0]
    assert (out["p_2b"], out["n_2b"]) == (50.0, 1)
    assert out["total_nilai"] == 38 - 5 + 1
    with pytest.raises(ValidationError, match="1 masalah"):
        score(pd.DataFrame([golden_row()]), settings=settings)  # column missing


def test_every_bad_value_is_reported_with_row_and_column():
    rows = [golden_row(), golden_row(v_1a=-1.0), golden_row(jumlah_kk=None), golden_row(v_2b="abc")]
    with pytest.raises(ValidationError) as exc:
        score(pd.DataFrame(rows))
    found = {(p.row, p.column) for p in exc.value.problems}
    # spreadsheet rows: header is row 1, so frame position i is row i + 2
    assert found == {(3, "v_1a"), (4, "jumlah_kk"), (5, "v_2b")}
    assert any("negatif" in p.masalah for p in exc.value.problems)


def test_integer_core_matches_the_formulas():
    # P = (2·10000·V + D) // (2·D): 1/8 → 12.5 % → 1250; 1/3 → 3333; capped; zero denominator
    v = to_micro([1, 1, 9, 5])
    d = to_micro([8, 3, 3, 0])
    assert percent_hundredths(v, d).tolist() == [1250, 3333, 10000, 0]
    assert average_hundredths(np.array([5263, 5, 4]), 2).tolist() == [
        2632,
        3,
        2,
    ]  # 26.315→26.32, 2.5→3, 2


# --------------------------------------------------------------------------- properties


def _reference(row: dict, rules) -> tuple[list[Decimal], list[int], int]:
    """Slow, obvious implementation with Python Decimal (domain.md §4), for comparison."""
    q = Decimal("0.01")
    ps, ns = [], []
    for c in rules.criteria:
        v, d = Decimal(repr(float(row[c.volume]))), Decimal(repr(float(row[c.denominator])))
        p = Decimal(0) if d == 0 else min(Decimal(100), 100 * v / d)
        p = p.quantize(q, rounding=ROUND_HALF_UP)
        ps.append(p)
        ns.append(5 if p >= 76 else 3 if p >= 51 else 1 if p >= 25 else 0)
    return ps, ns, sum(ns)


_decimal2 = st.integers(min_value=0, max_value=500_000).map(lambda x: x / 100)
_count = st.integers(min_value=0, max_value=400)


@st.composite
def rt_rows(draw):
    row = {
        "kode_rt": "H", "tahun": 2020, "luas_ha": draw(_decimal2), "jumlah_bangunan": draw(_count),
        "jumlah_penduduk": draw(_count), "jumlah_kk": draw(_count),
        "panjang_jalan_ideal_m": draw(_decimal2), "panjang_drainase_ideal_m": draw(_decimal2),
    }  # fmt: skip
    for c in CRITERIA_CODES:
        row[f"v_{c}"] = draw(_decimal2)
    return row


@settings(max_examples=60, deadline=None)
@given(rt_rows())
def test_vectorised_scores_equal_a_decimal_reference(row):
    rules = load_rules()
    out = score(pd.DataFrame([row])).iloc[0]
    ps, ns, total = _reference(row, rules)
    assert [Decimal(repr(float(out[c.p_column]))) for c in rules.criteria] == ps
    assert [out[c.n_column] for c in rules.criteria] == ns
    assert out["total_nilai"] == total


@settings(max_examples=60, deadline=None)
@given(rt_rows(), st.sampled_from(CRITERIA_CODES), _decimal2)
def test_a_score_never_falls_when_a_volume_rises(row, code, extra):
    rows = [row, {**row, f"v_{code}": row[f"v_{code}"] + extra}]
    out = score(pd.DataFrame(rows))
    assert out[f"p_{code}"].iloc[1] >= out[f"p_{code}"].iloc[0]
    assert out[f"n_{code}"].iloc[1] >= out[f"n_{code}"].iloc[0]
    assert out["total_nilai"].iloc[1] >= out["total_nilai"].iloc[0]
    assert out["rata_sektoral"].iloc[1] >= out["rata_sektoral"].iloc[0]
    order = {"TK": 0, "KR": 1, "KS": 2, "KB": 3}
    assert order[out["tingkat"].iloc[1]] >= order[out["tingkat"].iloc[0]]


# --------------------------------------------------------------------------- explain


def _two_years() -> tuple[pd.DataFrame, pd.DataFrame]:
    y0 = golden_row(tahun=2019, asal="observed")
    y1 = golden_row(tahun=2020, asal="derived", v_2b=405.0)
    scores = score(pd.DataFrame([y0, y1]))
    trace = pd.DataFrame(
        {
            "kode_rt": ["RT01-RW05"], "tahun": [2020], "kriteria": ["2b"], "asal": ["derived"],
            "volume_before": [605.0], "kode_kegiatan": ["K-07"], "volume_kolaborasi": [200.0],
            "volume_subtracted": [200.0], "volume_after": [405.0],
        }
    )  # fmt: skip
    return scores, trace


def test_explain_walks_from_volumes_to_level_in_indonesian():
    scores, trace = _two_years()
    kolab = pd.DataFrame(
        {
            "kode_kegiatan": ["K-07"],
            "nama_kegiatan": ["Paving jalan"],
            "sumber_dana": ["APBD Kab/Kota"],
            "volume": [200.0],
            "satuan": ["m"],
        }
    )
    text = explain(scores, kode_rt="RT01-RW05", tahun=2019, trace=trace)
    assert "13 unit dari 50 (jumlah_bangunan) = 26,00% → nilai 1" in text
    assert "605 m dari 780 (panjang_jalan_ideal_m) = 77,56% → nilai 5" in text
    assert "Rata-rata sektoral (rata-rata ketujuh aspek): 50,86%" in text
    assert "total 38 berada pada rentang 38–59 → kumuh sedang (KS)" in text
    assert "tahun pertamanya" in text
    # the next year: 405 m of 780 m = 51.923… → 51.92 % → 3; total 38 − 5 + 3 = 36 → KR
    text = explain(scores, kode_rt="RT01-RW05", trace=trace, kolaborasi=kolab)
    assert "tahun 2020" in text.splitlines()[0]
    assert "turunan" in text
    assert "total nilai 38 → 36; tingkat KS → KR" in text
    assert (
        "2b Kualitas permukaan jalan lingkungan: volume 605 → 405 m (77,56% → 51,92%, nilai 5 → 3)"
        in text
    )
    assert "K-07 (Paving jalan, APBD Kab/Kota, 200 m)" in text


def test_explain_in_english_and_unknown_rt():
    scores, trace = _two_years()
    text = explain(scores, kode_rt="RT01-RW05", tahun=2020, trace=trace, lang="en")
    assert "Change since 2019: total 38 → 36; level KS → KR" in text
    from kumuhgis.core.errors import UsageError

    with pytest.raises(UsageError, match="tidak ditemukan"):
        explain(scores, kode_rt="nope")
    with pytest.raises(UsageError, match="2031"):
        explain(scores, kode_rt="RT01-RW05", tahun=2031)


# --------------------------------------------------------------------------- outputs


def test_level_summary_sums_hectares_per_level_exactly():
    rows = [
        golden_row(luas_ha=0.1),
        golden_row(kode_rt="B", luas_ha=0.2),
        golden_row(kode_rt="C", luas_ha=0.3, v_2b=0.0),
    ]
    summary = level_summary(score(pd.DataFrame(rows)))
    # two KS RTs: 0.1 + 0.2 = 0.3 exactly (a float sum gives 0.30000000000000004); C drops 2b → 33 → KR
    assert summary["luas_ks_ha"].tolist() == [0.3]
    assert summary["luas_kr_ha"].tolist() == [0.3]
    assert summary["jumlah_rt_ks"].tolist() == [2]
    assert summary["luas_kumuh_ha"].tolist() == [0.6]


def test_write_scores_csv_and_office_xlsx(tmp_path):
    scores, trace = _two_years()
    csv = write_scores(scores, tmp_path / "nilai.csv")
    back = pd.read_csv(csv, encoding="utf-8-sig")
    assert back["p_2b"].tolist() == [77.56, 51.92]
    xlsx = write_scores(scores, tmp_path / "nilai.xlsx", trace=trace, title="Uji")
    wb = load_workbook(xlsx)
    assert wb.sheetnames == ["Nilai per RT", "Rekap per tahun", "Jejak kolaborasi", "Aturan"]
    ws = wb["Nilai per RT"]
    # title block (2 lines + blank), header on row 4, frozen below it
    headers = [c.value for c in ws[4]]
    assert "Luas RT (ha)" in headers
    assert "Persen 2b (%)" in headers
    assert "Tingkat kekumuhan" in headers
    assert ws.freeze_panes == "C5"
    col = headers.index("Persen 2b (%)") + 1
    assert ws.cell(row=5, column=col).value == 77.56
    assert ws.cell(row=5, column=col).number_format == "#,##0.00"
    with pytest.raises(Exception, match="poligon RT"):
        write_scores(scores, tmp_path / "nilai.geojson")
