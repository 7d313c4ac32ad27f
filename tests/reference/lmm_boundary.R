# lme4 at the boundary: evaluator variance estimated as exactly 0 (singular fit).
# Data: tests/reference/lmm_boundary.csv (stats_make_fixtures.py). Run from the repo root.
source("tests/reference/_common.R")
suppressPackageStartupMessages(library(lme4))
d <- read.csv(file.path(ref_dir, "lmm_boundary.csv"), stringsAsFactors = FALSE)
d$company <- relevel(factor(d$company), ref = "voltera")
ctl <- lmerControl(optimizer = "bobyqa", optCtrl = list(rhobeg = 0.2, rhoend = 1e-10))
m <- lmer(total ~ company + scenario + (1 | evaluator), d, REML = TRUE, control = ctl)
vc <- as.data.frame(VarCorr(m))
put("boundary:singular", as.numeric(isSingular(m)))
put("boundary:evaluator_var", vc$vcov[1]); put("boundary:residual_var", vc$vcov[2])
put("boundary:reml_loglik", -REMLcrit(m) / 2)
fe <- fixef(m); se <- sqrt(diag(vcov(m)))
for (co in c("amperio", "blitzmarkt", "kabelhaus")) {
  nm <- paste0("company", co)
  put(paste0("boundary:", co, ":estimate"), -fe[nm]); put(paste0("boundary:", co, ":se"), se[nm])
}
# at the boundary the REML fixed effects are OLS and sigma^2 = RSS / (n - p)
o <- lm(total ~ company + scenario, d)
put("boundary:ols_sigma2", summary(o)$sigma^2)
# an interior fit for comparison: the example fixture wave 2026-07 (adjusted.R) REML log-lik
d2 <- contacts(); d2 <- d2[d2$wave == "2026-07" & !is.na(d2$total), ]
m2 <- lmer(total ~ company + scenario + channel + (1 | evaluator), d2, REML = TRUE, control = ctl)
put("interior:reml_loglik", -REMLcrit(m2) / 2)
save_out("lmm_boundary")
