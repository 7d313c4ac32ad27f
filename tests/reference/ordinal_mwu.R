# Reference values for benchlib.stats.ordinal (R >= 4.2, base stats only).
# Run from the repository root:  Rscript tests/reference/ordinal_mwu.R
# Reads ordinal_items.csv; writes ordinal_compare_r.csv and ordinal_distribution_r.csv.
options(digits = 15)
here <- "tests/reference"
d <- read.csv(file.path(here, "ordinal_items.csv"), stringsAsFactors = FALSE)
d <- d[d$status == "answered" & !is.na(d$value), ]
min_n <- 10
rows <- list()
for (i in sort(unique(d$item))) {
  x <- d$value[d$item == i & d$company == "voltera"]
  for (co in sort(setdiff(unique(d$company), "voltera"))) {
    y <- d$value[d$item == i & d$company == co]
    tested <- length(x) >= min_n && length(y) >= min_n
    w <- NA; p <- NA; rbc <- NA
    if (tested) {
      t <- wilcox.test(x, y, exact = FALSE, correct = TRUE)
      w <- unname(t$statistic); p <- t$p.value
      rbc <- 2 * w / (length(x) * length(y)) - 1
    }
    rows[[length(rows) + 1]] <- data.frame(item = i, competitor = co, n_shop = length(x),
      n_comp = length(y), median_shop = median(x), median_comp = median(y),
      tested = tested, u = w, p = p, rbc = rbc)
  }
}
out <- do.call(rbind, rows)
out$p_fdr <- NA
out$p_fdr[out$tested] <- p.adjust(out$p[out$tested], method = "BH")
write.csv(out, file.path(here, "ordinal_compare_r.csv"), row.names = FALSE)

# distribution: counts per category (all categories of the scale) and median
cats <- list(likert5 = 1:5, grade6 = 1:6)
rows <- list()
for (i in sort(unique(d$item))) for (co in sort(unique(d$company))) {
  v <- d$value[d$item == i & d$company == co]
  sc <- d$scale[d$item == i][1]
  tab <- table(factor(v, levels = cats[[sc]]))
  rows[[length(rows) + 1]] <- data.frame(item = i, company = co, category = cats[[sc]],
    count = as.integer(tab), share = as.numeric(prop.table(tab)), n = length(v),
    median = median(v))
}
write.csv(do.call(rbind, rows), file.path(here, "ordinal_distribution_r.csv"), row.names = FALSE)
