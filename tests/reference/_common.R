# Shared helpers for the reference scripts (R 4.2.2). Run from the repo root:
#   Rscript tests/reference/<topic>.R
ref_dir <- "tests/reference"
contacts <- function() {
  d <- read.csv(file.path(ref_dir, "contacts.csv"), stringsAsFactors = FALSE)
  d$company <- factor(d$company)
  d
}
out <- list()
put <- function(key, value) out[[key]] <<- unname(value)
save_out <- function(topic) {
  r <- data.frame(key = names(out), value = formatC(unlist(out), digits = 15, format = "g"))
  write.csv(r, file.path(ref_dir, paste0(topic, "_r.csv")), row.names = FALSE, quote = FALSE)
  print(r, right = FALSE)
}
