source("tests/reference/_common.R")
d <- contacts()
for (co in c("voltera", "amperio")) {
  cur <- na.omit(d$total[d$wave == "2026-07" & d$company == co])
  prev <- na.omit(d$total[d$wave == "2026-04" & d$company == co])
  tt <- t.test(cur, prev)
  put(paste0(co, ":diff"), mean(cur) - mean(prev)); put(paste0(co, ":t"), tt$statistic)
  put(paste0(co, ":df"), tt$parameter); put(paste0(co, ":p"), tt$p.value)
  put(paste0(co, ":ci_low"), tt$conf.int[1]); put(paste0(co, ":ci_high"), tt$conf.int[2])
}
save_out("change")
