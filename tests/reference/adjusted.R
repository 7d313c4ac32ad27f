source("tests/reference/_common.R")
suppressPackageStartupMessages({library(emmeans); library(sandwich); library(lme4)})
d <- contacts()
d <- d[d$wave == "2026-07" & !is.na(d$total), ]
d$company <- relevel(factor(d$company), ref = "voltera")
m <- lm(total ~ company + scenario + channel, d)
emm <- emmeans(m, "company", vcov. = vcovHC(m, type = "HC3"))
s <- summary(emm)
for (i in seq_len(nrow(s))) {
  k <- paste0("emm:", s$company[i])
  put(paste0(k, ":emmean"), s$emmean[i]); put(paste0(k, ":se"), s$SE[i])
  put(paste0(k, ":lower"), s$lower.CL[i]); put(paste0(k, ":df"), s$df[i])
}
# shop - competitor (trt.vs.ctrl reversed), Holm over the three competitors
ct <- summary(contrast(emm, method = "trt.vs.ctrl", ref = 1, adjust = "holm"), infer = TRUE)
ct_raw <- summary(contrast(emm, method = "trt.vs.ctrl", ref = 1, adjust = "none"), infer = TRUE)
for (i in seq_len(nrow(ct))) {  # rows are "competitor - voltera": negate for shop - competitor
  k <- paste0("contrast:", sub(" - voltera", "", ct$contrast[i]))
  put(paste0(k, ":estimate"), -ct$estimate[i]); put(paste0(k, ":se"), ct$SE[i])
  put(paste0(k, ":t"), -ct_raw$t.ratio[i]); put(paste0(k, ":p"), ct_raw$p.value[i])
  put(paste0(k, ":p_holm"), ct$p.value[i]); put(paste0(k, ":ci_low"), -ct_raw$upper.CL[i])
}
# mixed model: random evaluator intercept, REML
mm <- lmer(total ~ company + scenario + channel + (1 | evaluator), d, REML = TRUE,
           control = lmerControl(optimizer = "bobyqa", optCtrl = list(rhobeg = 0.2, rhoend = 1e-10)))
fe <- fixef(mm); se <- sqrt(diag(vcov(mm)))
for (co in c("amperio", "blitzmarkt", "kabelhaus")) {
  nm <- paste0("company", co)
  put(paste0("lmer:", co, ":estimate"), -fe[nm]); put(paste0("lmer:", co, ":se"), se[nm])
}
vc <- as.data.frame(VarCorr(mm))
put("lmer:evaluator_var", vc$vcov[1]); put("lmer:residual_var", vc$vcov[2])
put("lmer:blup:E01", ranef(mm)$evaluator["E01", 1])
save_out("adjusted")
