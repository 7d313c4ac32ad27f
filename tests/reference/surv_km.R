# Reference values for benchlib.stats.survival (R >= 4.2, package survival).
# Run from the repository root:  Rscript tests/reference/surv_km.R
# Reads surv_mail.csv; writes surv_km_r.csv (log and log-log CIs), surv_summary_r.csv
# (median + CI by R's quantile rule, 1 - S at 4 h / 24 h) and surv_logrank_r.csv.
suppressPackageStartupMessages(library(survival))
options(digits = 15)
here <- "tests/reference"
d <- read.csv(file.path(here, "surv_mail.csv"), stringsAsFactors = FALSE)
d$event <- as.integer(d$mail_answered == "True" | d$mail_answered == "TRUE")

km <- list(); summ <- list()
for (co in sort(unique(d$company))) {
  g <- d[d$company == co, ]
  for (ct in c("log", "log-log")) {
    f <- survfit(Surv(response_h, event) ~ 1, data = g, conf.type = ct)
    s <- summary(f)  # event times only
    km[[length(km) + 1]] <- data.frame(company = co, conf_type = ct, time = s$time,
      at_risk = s$n.risk, events = s$n.event, surv = s$surv, ci_low = s$lower,
      ci_high = s$upper)
  }
  f <- survfit(Surv(response_h, event) ~ 1, data = g)  # conf.type = "log"
  q <- quantile(f, probs = 0.5)
  at <- summary(f, times = c(4, 24), extend = FALSE)
  sh <- function(h, what) { i <- match(h, at$time); if (is.na(i)) NA else 1 - what[i] }
  summ[[length(summ) + 1]] <- data.frame(company = co, n = nrow(g), answered = sum(g$event),
    median_h = unname(q$quantile), median_ci_low = unname(q$lower),
    median_ci_high = unname(q$upper),
    share_4h = sh(4, at$surv), share_4h_ci_low = sh(4, at$upper),
    share_4h_ci_high = sh(4, at$lower),
    share_24h = sh(24, at$surv), share_24h_ci_low = sh(24, at$upper),
    share_24h_ci_high = sh(24, at$lower))
}
write.csv(do.call(rbind, km), file.path(here, "surv_km_r.csv"), row.names = FALSE)
write.csv(do.call(rbind, summ), file.path(here, "surv_summary_r.csv"), row.names = FALSE)

# log-rank: shop vs all competitors pooled, and vs each; Holm over the pairs
lr <- function(sub) { sub$is_shop <- sub$company == "voltera"
  t <- survdiff(Surv(response_h, event) ~ is_shop, data = sub)
  c(t$chisq, pchisq(t$chisq, 1, lower.tail = FALSE)) }
rows <- list(data.frame(competitor = "all competitors", t(lr(d))))
for (co in sort(setdiff(unique(d$company), "voltera"))) {
  rows[[length(rows) + 1]] <- data.frame(competitor = co,
                                         t(lr(d[d$company %in% c("voltera", co), ])))
}
out <- do.call(rbind, rows); names(out)[2:3] <- c("chisq", "p")
n_comp <- sapply(out$competitor, function(co) if (co == "all competitors")
  sum(d$company != "voltera") else sum(d$company == co))
out$tested <- n_comp >= 10
pair <- out$competitor != "all competitors" & out$tested
out$p_holm <- out$p
out$p_holm[out$competitor != "all competitors"] <- NA
out$p_holm[pair] <- p.adjust(out$p[pair], method = "holm")
write.csv(out, file.path(here, "surv_logrank_r.csv"), row.names = FALSE)
