# Two-part (knockout share x mean of the rest) MOVER interval of a mean with knockout zeros,
# written out in base R 4.2.2 from its definition (Zou & Donner 2008). Run from the repo root.
source("tests/reference/_common.R")
two_part <- function(x, prefix) {
  n <- length(x); nk <- sum(x == 0); rest <- x[x != 0]
  k <- prop.test(nk, n, correct = FALSE)$conf.int          # Wilson interval of the knockout rate
  m <- t.test(rest)$conf.int; mr <- mean(rest)
  a <- log(1 - nk / n); a_lo <- log(1 - k[2]); a_hi <- log(1 - k[1])
  b <- log(mr); b_lo <- log(m[1]); b_hi <- log(m[2])
  put(paste0(prefix, ":ci_low"), exp(a + b - sqrt((a - a_lo)^2 + (b - b_lo)^2)))
  put(paste0(prefix, ":ci_high"), exp(a + b + sqrt((a_hi - a)^2 + (b_hi - b)^2)))
  put(paste0(prefix, ":knockout_ci_low"), k[1]); put(paste0(prefix, ":knockout_ci_high"), k[2])
  put(paste0(prefix, ":t_low"), t.test(x)$conf.int[1])
}
two_part(c(0, 62, 71, 80, 55, 90, 0, 77, 68, 84, 73, 66), "a")
two_part(c(58.5, 61, 70.25, 80, 44, 93.5, 77, 68, 84, 73), "no_knockout")
save_out("small_n")
