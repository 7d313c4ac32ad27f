source("tests/reference/_common.R")
d <- contacts()
d <- d[d$wave == "2026-04" & !is.na(d$total), ]
shop <- d$total[d$company == "voltera"]
hedges <- function(x, y) {  # Hedges & Olkin: pooled-SD d times J = 1 - 3/(4(nx+ny)-9)
  nx <- length(x); ny <- length(y)
  sp <- sqrt(((nx - 1) * var(x) + (ny - 1) * var(y)) / (nx + ny - 2))
  g <- (mean(x) - mean(y)) / sp * (1 - 3 / (4 * (nx + ny) - 9))
  se <- sqrt((nx + ny) / (nx * ny) + g^2 / (2 * (nx + ny)))
  g + c(0, -1, 1) * qt(0.975, nx + ny - 2) * se
}
p <- c()
for (co in c("amperio", "blitzmarkt")) {  # kabelhaus has 6 contacts: not tested
  tt <- t.test(shop, d$total[d$company == co])
  put(paste0(co, ":t"), tt$statistic); put(paste0(co, ":df"), tt$parameter)
  put(paste0(co, ":p"), tt$p.value)
  put(paste0(co, ":ci_low"), tt$conf.int[1]); put(paste0(co, ":ci_high"), tt$conf.int[2])
  g <- hedges(shop, d$total[d$company == co])
  put(paste0(co, ":g"), g[1]); put(paste0(co, ":g_ci_low"), g[2]); put(paste0(co, ":g_ci_high"), g[3])
  p[co] <- tt$p.value
}
ph <- p.adjust(p, "holm")
for (co in names(ph)) put(paste0(co, ":p_holm"), ph[co])
ow <- oneway.test(total ~ company, d, var.equal = FALSE)
put("welch:F", ow$statistic); put("welch:df1", ow$parameter[1]); put("welch:df2", ow$parameter[2])
put("welch:p", ow$p.value)
# Games-Howell by hand (no package needed): t = diff / se, p from the studentized range
lv <- levels(droplevels(d$company)); k <- length(lv)
for (i in 1:(k - 1)) for (j in (i + 1):k) {
  x <- d$total[d$company == lv[i]]; y <- d$total[d$company == lv[j]]
  vx <- var(x) / length(x); vy <- var(y) / length(y)
  se <- sqrt(vx + vy); df <- (vx + vy)^2 / (vx^2 / (length(x) - 1) + vy^2 / (length(y) - 1))
  tt <- (mean(x) - mean(y)) / se
  key <- paste0("gh:", lv[i], "-", lv[j])
  put(paste0(key, ":p"), ptukey(abs(tt) * sqrt(2), k, df, lower.tail = FALSE))
  put(paste0(key, ":ci_low"), mean(x) - mean(y) - qtukey(0.95, k, df) / sqrt(2) * se)
}
save_out("compare")
