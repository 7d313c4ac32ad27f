# Reference values for benchlib.stats.proportions (R >= 4.2, base stats only).
# Run from the repository root:  Rscript tests/reference/items_proportions.R
# Reads tests/reference/items_yesno.csv (written by items_make_fixtures.py) and writes
# items_proportions_r.csv, items_compare_r.csv, items_vs_previous_r.csv.
options(digits = 15)
here <- "tests/reference"
d <- read.csv(file.path(here, "items_yesno.csv"), stringsAsFactors = FALSE)
d <- d[d$status == "answered" & !is.na(d$value), ]
min_n <- 10

wilson <- function(x, n) as.numeric(suppressWarnings(prop.test(x, n, correct = FALSE))$conf.int)

# Newcombe (1998) method 10 from the two Wilson intervals
newcombe <- function(x1, n1, x2, n2) {
  p1 <- x1 / n1; p2 <- x2 / n2; w1 <- wilson(x1, n1); w2 <- wilson(x2, n2)
  dd <- p1 - p2
  c(dd - sqrt((p1 - w1[1])^2 + (w2[2] - p2)^2), dd + sqrt((w1[2] - p1)^2 + (p2 - w2[1])^2))
}

# chi-square without continuity correction when all expected counts >= 5, else Fisher
two <- function(x1, n1, x2, n2) {
  tab <- matrix(c(x1, n1 - x1, x2, n2 - x2), nrow = 2, byrow = TRUE)
  ex <- outer(rowSums(tab), colSums(tab)) / sum(tab)
  ci <- newcombe(x1, n1, x2, n2)
  if (all(ex >= 5)) {
    t <- suppressWarnings(chisq.test(tab, correct = FALSE))
    data.frame(diff = x1 / n1 - x2 / n2, ci_low = ci[1], ci_high = ci[2], test = "chi2",
               statistic = unname(t$statistic), p = t$p.value)
  } else {
    t <- fisher.test(tab)
    data.frame(diff = x1 / n1 - x2 / n2, ci_low = ci[1], ci_high = ci[2], test = "fisher",
               statistic = NA, p = t$p.value)
  }
}

# 1. shares with Wilson CIs
agg <- aggregate(value ~ wave + item + company, data = d,
                 FUN = function(v) c(n = length(v), x = sum(v)))
agg <- data.frame(agg[, 1:3], n = agg$value[, "n"], successes = agg$value[, "x"])
ci <- t(mapply(wilson, agg$successes, agg$n))
agg$share <- agg$successes / agg$n
agg$ci_low <- ci[, 1]; agg$ci_high <- ci[, 2]
write.csv(agg, file.path(here, "items_proportions_r.csv"), row.names = FALSE)

# 2. shop vs each competitor, per wave x item; BH over all tested rows
cnt <- function(w, i, co) { v <- d$value[d$wave == w & d$item == i & d$company == co]
  c(length(v), sum(v)) }
rows <- list()
for (w in sort(unique(d$wave))) for (i in sort(unique(d$item))) {
  s <- cnt(w, i, "voltera")
  for (co in sort(setdiff(unique(d$company), "voltera"))) {
    b <- cnt(w, i, co)
    tested <- s[1] >= min_n && b[1] >= min_n
    r <- if (tested) two(s[2], s[1], b[2], b[1]) else
      data.frame(diff = s[2] / s[1] - b[2] / b[1], ci_low = NA, ci_high = NA, test = NA,
                 statistic = NA, p = NA)
    rows[[length(rows) + 1]] <- data.frame(wave = w, item = i, competitor = co,
                                           n_shop = s[1], x_shop = s[2], n_comp = b[1],
                                           x_comp = b[2], r, tested = tested)
  }
}
cmp <- do.call(rbind, rows)
cmp$p_fdr <- NA
cmp$p_fdr[cmp$tested] <- p.adjust(cmp$p[cmp$tested], method = "BH")
write.csv(cmp, file.path(here, "items_compare_r.csv"), row.names = FALSE)

# 3. voltera 2026-04 vs 2026-01 per item
rows <- list()
for (i in sort(unique(d$item))) {
  a <- cnt("2026-04", i, "voltera"); b <- cnt("2026-01", i, "voltera")
  rows[[length(rows) + 1]] <- data.frame(item = i, n_wave = a[1], x_wave = a[2],
                                         n_prev = b[1], x_prev = b[2], two(a[2], a[1], b[2], b[1]))
}
prev <- do.call(rbind, rows)
prev$p_fdr <- p.adjust(prev$p, method = "BH")
write.csv(prev, file.path(here, "items_vs_previous_r.csv"), row.names = FALSE)

# 4. published example, Newcombe (1998) Table II: 56/70 vs 48/80 -> 0.0524 to 0.3339
print(newcombe(56, 70, 48, 80))

# 5. boundary cases (zero / full counts), same R implementation
edge <- data.frame(x1 = c(9, 6, 5, 0, 10, 10), n1 = c(10, 7, 56, 10, 10, 10),
                   x2 = c(3, 2, 0, 0, 0, 0), n2 = c(10, 7, 29, 20, 20, 10))
edge <- cbind(edge, t(mapply(newcombe, edge$x1, edge$n1, edge$x2, edge$n2)))
names(edge)[5:6] <- c("ci_low", "ci_high")
write.csv(edge, file.path(here, "items_newcombe_edge_r.csv"), row.names = FALSE)
