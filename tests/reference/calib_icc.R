# Reference values for benchlib.stats.calibration (R >= 4.2, package psych).
# Run from the repository root:  Rscript tests/reference/calib_icc.R
# Reads calib_ratings.csv; writes calib_icc_r.csv (psych::ICC on complete recordings) and
# calib_leniency_r.csv (t.test of the deviation from the other evaluators' mean).
suppressPackageStartupMessages(library(psych))
options(digits = 15)
here <- "tests/reference"
d <- read.csv(file.path(here, "calib_ratings.csv"), stringsAsFactors = FALSE)
wide <- reshape(d, idvar = "recording_id", timevar = "evaluator", direction = "wide")
rownames(wide) <- wide$recording_id
wide <- as.matrix(wide[, -1])
complete <- wide[complete.cases(wide), ]
res <- ICC(complete, lmer = FALSE)$results
out <- res[res$type %in% c("ICC2", "ICC2k"), c("type", "ICC", "F", "df1", "df2", "p",
                                               "lower bound", "upper bound")]
names(out) <- c("type", "icc", "F", "df1", "df2", "p", "ci_low", "ci_high")
out$n_recordings <- nrow(complete); out$n_dropped <- nrow(wide) - nrow(complete)
write.csv(out, file.path(here, "calib_icc_r.csv"), row.names = FALSE)

rows <- list()
for (j in seq_len(ncol(wide))) {
  own <- wide[, j]
  others <- apply(wide[, -j, drop = FALSE], 1, function(v) mean(v, na.rm = TRUE))
  n_oth <- apply(wide[, -j, drop = FALSE], 1, function(v) sum(!is.na(v)))
  dev <- (own - others)[!is.na(own) & n_oth >= 1]
  t <- t.test(dev)
  rows[[j]] <- data.frame(evaluator = sub("total.", "", colnames(wide)[j]), n = length(dev),
                          mean_dev = mean(dev), sd = sd(dev), ci_low = t$conf.int[1],
                          ci_high = t$conf.int[2])
}
write.csv(do.call(rbind, rows), file.path(here, "calib_leniency_r.csv"), row.names = FALSE)
