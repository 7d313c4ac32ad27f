source("tests/reference/_common.R")
d <- contacts()
for (w in c("2026-04")) for (co in levels(d$company)) {
  x <- d$total[d$wave == w & d$company == co]
  x <- x[!is.na(x)]
  k <- paste(w, co, sep = ":")
  put(paste0(k, ":n"), length(x)); put(paste0(k, ":mean"), mean(x)); put(paste0(k, ":sd"), sd(x))
  ci <- t.test(x)$conf.int
  put(paste0(k, ":ci_low"), ci[1]); put(paste0(k, ":ci_high"), ci[2])
}
x <- d$dim_closing[d$wave == "2026-07" & d$company == "voltera"]
put("dim_closing:2026-07:voltera:n", sum(!is.na(x)))
put("dim_closing:2026-07:voltera:ci_low", t.test(x)$conf.int[1])
save_out("descriptives")
