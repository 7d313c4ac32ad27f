source("tests/reference/_common.R")
# strict = TRUE: both tails count toward power (R default strict = FALSE counts one).
# tol = 1e-12: power.t.test solves with uniroot(tol = .Machine$double.eps^0.25 ~ 1.2e-4) by default.
for (delta in c(3, 5, 8)) put(paste0("n:delta", delta), power.t.test(delta = delta, sd = 15, power = 0.8, strict = TRUE, tol = 1e-12)$n)
put("n:delta5:nonstrict", power.t.test(delta = 5, sd = 15, power = 0.8)$n)
put("mdc:n50", power.t.test(n = 50, sd = 15, power = 0.8, strict = TRUE, tol = 1e-12)$delta)
put("mdc:n17:alpha01:power9", power.t.test(n = 17, sd = 12, sig.level = 0.01, power = 0.9, strict = TRUE, tol = 1e-12)$delta)
put("prop:0.6-0.5:strict", power.prop.test(p1 = 0.6, p2 = 0.5, power = 0.8, strict = TRUE, tol = 1e-12)$n)
put("prop:0.6-0.5", power.prop.test(p1 = 0.6, p2 = 0.5, power = 0.8)$n)
put("prop:0.9-0.7:strict", power.prop.test(p1 = 0.9, p2 = 0.7, power = 0.8, strict = TRUE, tol = 1e-12)$n)
# honest planning: SD upper limit, Holm family, DiD, clustering
put("sd_upper:15:60:0.8", 15 * sqrt(60 / qchisq(0.2, 60)))
put("holm:delta5:m4", power.t.test(delta = 5, sd = 15, sig.level = 0.05 / 4, power = 0.8, strict = TRUE, tol = 1e-12)$n)
put("did:delta5:K4", power.t.test(delta = 5, sd = 15 * sqrt(1 + 1 / 4), power = 0.8, strict = TRUE, tol = 1e-12)$n)
save_out("planning")
