"""change_vs_previous against R 4.2.2 (tests/reference/change.R)."""

import numpy as np
import pytest

from benchlib.stats.change import change_vs_previous

TOL = 1e-6


def test_change_matches_r(contacts):
    r = change_vs_previous(contacts, "2026-07", "2026-04").set_index("company")
    v = r.loc["voltera"]
    # R 4.2.2: t.test(cur, prev)  (cur = 2026-07, prev = 2026-04, voltera, NA dropped)
    assert v["diff"] == pytest.approx(0.547017543859653, abs=TOL)  # mean(cur) - mean(prev)
    assert v["t"] == pytest.approx(0.157986161915986, abs=TOL)  # $statistic
    assert v["df"] == pytest.approx(30.6864687435961, abs=TOL)  # $parameter
    assert v["p"] == pytest.approx(0.875502761223927, abs=TOL)  # $p.value
    assert v["ci_low"] == pytest.approx(-6.51760009300369, abs=TOL)  # $conf.int[1]
    assert v["ci_high"] == pytest.approx(7.611635180723, abs=TOL)  # $conf.int[2]
    # R: amperio t.test(cur, prev)$conf.int[2] -> 9.33301812994201
    assert r.loc["amperio", "ci_high"] == pytest.approx(9.33301812994201, abs=TOL)


def test_small_company_not_tested(contacts):
    r = change_vs_previous(contacts, "2026-07", "2026-04").set_index("company")
    k = r.loc["kabelhaus"]
    assert not k["tested"] and np.isnan(k["p"]) and k["n_prev"] == 5
    assert k["diff"] == pytest.approx(k["mean_cur"] - k["mean_prev"])


def test_unknown_wave(contacts):
    with pytest.raises(ValueError, match="not found"):
        change_vs_previous(contacts, "2099-01", "2026-04")


def test_before_after_names(contacts):
    from benchlib.stats.change import change_vs_previous

    a = change_vs_previous(contacts, "2026-07", "2026-04")
    b = change_vs_previous(contacts, before="2026-04", after="2026-07")
    assert a.equals(b)
    with pytest.raises(ValueError, match="name the two waves"):
        change_vs_previous(contacts, after="2026-07")
