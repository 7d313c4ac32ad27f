# Evaluator-clustered comparisons: CR2 + Satterthwaite (Bell-McCaffrey) df, CR1, CR3.
# clubSandwich 0.5.8, sandwich 3.0, R 4.2.2. Data: nested.csv wave 2026-07
# (stats_make_fixtures.py). Run from the repo root.
source("tests/reference/_common.R")
suppressPackageStartupMessages({library(clubSandwich); library(sandwich)})
d <- read.csv(file.path(ref_dir, "nested.csv"), stringsAsFactors = FALSE)
w <- d[d$wave == "2026-07", ]
w$company <- relevel(factor(w$company), ref = "voltera")
m <- lm(total ~ company, w)
ct <- coef_test(m, vcov = "CR2", cluster = w$evaluator, test = "Satterthwaite")
for (co in c("amperio", "blitzmarkt", "kabelhaus")) {
  i <- which(ct$Coef == paste0("company", co))
  put(paste0("cr2:", co, ":estimate"), -ct$beta[i]); put(paste0("cr2:", co, ":se"), ct$SE[i])
  put(paste0("cr2:", co, ":df"), ct$df_Satt[i]); put(paste0("cr2:", co, ":p"), ct$p_Satt[i])
}
# CR1 (Stata scaling G/(G-1) (n-1)/(n-p)) and CR3 (jackknife, clubSandwich scales by (G-1)/G)
V1 <- vcovCL(m, cluster = ~evaluator, type = "HC1")
put("cr1:amperio:se", sqrt(V1["companyamperio", "companyamperio"]))
V3 <- vcovCR(m, cluster = w$evaluator, type = "CR3")
G <- length(unique(w$evaluator))
put("cr3:amperio:se", sqrt(V3["companyamperio", "companyamperio"] * (G - 1) / G))
# with a covariate
m2 <- lm(total ~ company + scenario, w)
ct2 <- coef_test(m2, vcov = "CR2", cluster = w$evaluator, test = "Satterthwaite")
i <- which(ct2$Coef == "companyblitzmarkt")
put("cr2_scen:blitzmarkt:se", ct2$SE[i]); put("cr2_scen:blitzmarkt:df", ct2$df_Satt[i])
# shop vs the pooled market
w$shop <- as.numeric(w$company == "voltera")
m3 <- lm(total ~ shop, w)
ct3 <- coef_test(m3, vcov = "CR2", cluster = w$evaluator, test = "Satterthwaite")
put("cr2_market:estimate", ct3$beta[2]); put("cr2_market:se", ct3$SE[2])
put("cr2_market:df", ct3$df_Satt[2])
save_out("clustered")
