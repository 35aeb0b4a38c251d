# Reference values for reviewkit's meta-analysis, computed with R's metafor.
#
#   Rscript tests/reference/metafor_reference.R        (from the repository root)
#
# writes tests/reference/metafor_reference.json (committed) and the demonstration review's
# examples/bcg-vaccine/references/dat.bcg.csv and evidence.csv (committed).  The tests read the JSON only; R is not needed
# to run them.  Every dataset below ships with metafor (package metadat); nothing is made up:
#   dat.bcg            BCG vaccine trials (Colditz et al. 1994, JAMA 271(9):698-702)         OR, RR, RD
#   dat.nielweise2007  catheter infections, several arms with zero events                    zero cells
#   dat.normand1999    length of hospital stay, stroke care                                   MD, SMD
#   dat.pritz1997      proportions                                                            PLO, PR, PFT
# GEN (an estimate reported with its CI) is built from dat.bcg: each trial's risk ratio and 95% CI
# rounded to two decimals, as a paper would print them, then escalc(measure = "GEN") on the log scale.
#
# Iterative tau^2 estimators (REML, ML, PM; SJ and HE are closed-form) are run with tighter
# convergence than metafor's default (control below) so that the reference is metafor's answer
# to more digits than the 1e-5 the tests ask for; everything else uses metafor's defaults.

suppressPackageStartupMessages(library(metafor))

num <- function(x) {
  if (length(x) == 0) return("[]")
  v <- vapply(x, function(e) if (is.null(e) || is.na(e)) "null" else if (is.infinite(e)) "null"
              else formatC(e, digits = 17, format = "g"), "")
  v <- gsub(" ", "", v)
  if (length(v) == 1) v else paste0("[", paste(v, collapse = ","), "]")
}
str1 <- function(x) paste0('"', gsub('"', '\\\\"', x), '"')
js <- function(x) {
  if (is.null(x)) return("null")
  if (is.list(x)) {
    if (!is.null(names(x)) && all(names(x) != "")) {
      return(paste0("{", paste(sprintf("%s:%s", str1(names(x)), vapply(x, js, "")), collapse = ","), "}"))
    }
    return(paste0("[", paste(vapply(x, js, ""), collapse = ","), "]"))
  }
  if (is.character(x) || is.factor(x)) {
    x <- as.character(x)
    if (length(x) == 1) return(str1(x))
    return(paste0("[", paste(vapply(x, str1, ""), collapse = ","), "]"))
  }
  if (is.logical(x) && length(x) == 1) return(if (is.na(x)) "null" else tolower(as.character(x)))
  num(as.numeric(x))
}
vec <- function(x) as.list(as.numeric(x))  # always a JSON array, even of length 1
arr <- function(x) I(x)

tight <- list(threshold = 1e-12, maxiter = 10000, tol = 1e-12, stepadj = 0.5)
methods <- c("FE", "DL", "REML", "PM", "ML", "HE", "SJ")
tests <- c("z", "knha")

fit_summary <- function(res) {
  pred <- predict(res)
  p <- function(x) if (is.null(x) || length(x) == 0) NA else x
  list(estimate = p(as.numeric(res$b)[1]), se = p(res$se[1]), zval = p(res$zval[1]), pval = p(res$pval[1]),
       ci_low = p(res$ci.lb[1]), ci_high = p(res$ci.ub[1]),
       pi_low = p(if (is.null(pred$pi.lb)) pred$ci.lb else pred$pi.lb),
       pi_high = p(if (is.null(pred$pi.ub)) pred$ci.ub else pred$pi.ub),
       tau2 = p(res$tau2), i2 = p(res$I2), h2 = p(res$H2), q = p(res$QE), q_p = p(res$QEp), k = res$k)
}

bcg <- dat.bcg
niel <- dat.nielweise2007
norm <- dat.normand1999
pritz <- dat.pritz1997

datasets <- list(
  dat.bcg = list(study = paste(bcg$author, bcg$year), ai = vec(bcg$tpos), bi = vec(bcg$tneg), ci = vec(bcg$cpos),
                 di = vec(bcg$cneg), ablat = vec(bcg$ablat), alloc = as.character(bcg$alloc)),
  dat.nielweise2007 = list(study = paste(niel$author, niel$year), ai = vec(niel$ai), n1i = vec(niel$n1i),
                           ci = vec(niel$ci), n2i = vec(niel$n2i)),
  dat.normand1999 = list(study = as.character(norm$source), m1i = vec(norm$m1i), sd1i = vec(norm$sd1i),
                         n1i = vec(norm$n1i), m2i = vec(norm$m2i), sd2i = vec(norm$sd2i), n2i = vec(norm$n2i)),
  dat.pritz1997 = list(study = as.character(pritz$authors), xi = vec(pritz$xi), ni = vec(pritz$ni))
)

# GEN: each BCG trial's risk ratio and 95% CI, rounded as printed in a paper
rr <- escalc("RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = bcg)
gen_est <- round(exp(rr$yi), 2)
gen_low <- round(exp(rr$yi - qnorm(0.975) * sqrt(rr$vi)), 2)
gen_high <- round(exp(rr$yi + qnorm(0.975) * sqrt(rr$vi)), 2)
datasets$bcg.rr.reported <- list(study = paste(bcg$author, bcg$year), estimate = vec(gen_est),
                                 ci_low = vec(gen_low), ci_high = vec(gen_high))

esc <- list()
add_esc <- function(dataset, measure, args, es) {
  esc[[length(esc) + 1]] <<- list(dataset = dataset, measure = measure, args = args,
                                   yi = vec(es$yi), vi = vec(es$vi))
}
for (m in c("OR", "RR", "RD")) {
  add_esc("dat.bcg", m, list(ai = "ai", bi = "bi", ci = "ci", di = "di"),
          escalc(m, ai = tpos, bi = tneg, ci = cpos, di = cneg, data = bcg))
  add_esc("dat.nielweise2007", m, list(ai = "ai", n1i = "n1i", ci = "ci", n2i = "n2i"),
          escalc(m, ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = niel))
}
for (m in c("MD", "SMD")) {
  add_esc("dat.normand1999", m, list(m1i = "m1i", sd1i = "sd1i", n1i = "n1i", m2i = "m2i", sd2i = "sd2i", n2i = "n2i"),
          escalc(m, m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i, data = norm))
}
for (m in c("PLO", "PR", "PFT")) {
  add_esc("dat.pritz1997", m, list(xi = "xi", ni = "ni"), escalc(m, xi = xi, ni = ni, data = pritz))
  # zero events in some arms: the treated arms of dat.nielweise2007 as single proportions
  add_esc("dat.nielweise2007", m, list(xi = "ai", ni = "n1i"), escalc(m, xi = ai, ni = n1i, data = niel))
}
gen_yi <- log(gen_est)
gen_sei <- (log(gen_high) - log(gen_low)) / (2 * qnorm(0.975))
add_esc("bcg.rr.reported", "GEN", list(estimate = "estimate", ci_low = "ci_low", ci_high = "ci_high", scale = "log"),
        escalc("GEN", yi = gen_yi, sei = gen_sei))

# models: every method x test on each effect-size set, and on k = 1 and k = 2 (first trials of dat.bcg)
models <- list()
for (e in esc) {
  for (subset in list(NULL, 1L, 1:2)) {
    yi <- unlist(e$yi); vi <- unlist(e$vi)
    if (!is.null(subset)) { yi <- yi[subset]; vi <- vi[subset] }
    for (m in methods) for (t in tests) {
      res <- tryCatch(rma(yi, vi, method = m, test = t, control = tight), error = function(err) err)
      entry <- list(dataset = e$dataset, measure = e$measure, method = m, test = t,
                    k = length(yi), first = if (is.null(subset)) NULL else length(subset))
      entry$result <- if (inherits(res, "error")) list(error = conditionMessage(res)) else fit_summary(res)
      models[[length(models) + 1]] <- entry
    }
  }
}
# a level other than 95%
res90 <- rma(yi, vi, data = rr, method = "REML", level = 90, control = tight)
models[[length(models) + 1]] <- list(dataset = "dat.bcg", measure = "RR", method = "REML", test = "z", level = 0.90,
                                      k = res90$k, result = fit_summary(res90))

# Mantel-Haenszel and Peto
mh <- list()
for (d in c("dat.bcg", "dat.nielweise2007")) for (m in c("OR", "RR", "RD")) {
  res <- if (d == "dat.bcg") rma.mh(ai = tpos, bi = tneg, ci = cpos, di = cneg, data = bcg, measure = m)
         else rma.mh(ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = niel, measure = m)
  mh[[length(mh) + 1]] <- list(dataset = d, measure = m, result = list(
    estimate = as.numeric(res$b), se = res$se, zval = res$zval, pval = res$pval, ci_low = res$ci.lb,
    ci_high = res$ci.ub, q = res$QE, q_p = res$QEp, i2 = res$I2, h2 = res$H2, k = res$k,
    cmh = if (m == "OR") res$MH else NULL, cmh_p = if (m == "OR") res$MHp else NULL))
}
for (d in c("dat.bcg", "dat.nielweise2007")) {
  res <- if (d == "dat.bcg") rma.peto(ai = tpos, bi = tneg, ci = cpos, di = cneg, data = bcg)
         else rma.peto(ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = niel)
  mh[[length(mh) + 1]] <- list(dataset = d, measure = "PETO", result = list(
    estimate = as.numeric(res$b), se = res$se, zval = res$zval, pval = res$pval, ci_low = res$ci.lb,
    ci_high = res$ci.ub, q = res$QE, q_p = res$QEp, i2 = res$I2, h2 = res$H2, k = res$k))
}

# subgroups of dat.bcg by allocation: a model per subgroup, then the test for subgroup differences
# (a common-effect model of the subgroup estimates: Q between, df = groups - 1), as RevMan reports it
subg <- list()
rr_bcg <- escalc("RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = bcg)
for (m in c("FE", "DL", "REML")) {
  groups <- sort(unique(bcg$alloc))
  fits <- lapply(groups, function(g) rma(yi, vi, data = rr_bcg, subset = alloc == g, method = m, control = tight))
  between <- rma(sapply(fits, function(f) as.numeric(f$b)), sei = sapply(fits, function(f) f$se), method = "FE")
  subg[[length(subg) + 1]] <- list(dataset = "dat.bcg", measure = "RR", method = m, by = "alloc",
    groups = as.list(groups), fits = lapply(fits, fit_summary),
    test = list(q = between$QE, df = length(groups) - 1, p = between$QEp))
}

# leave one out
l1o <- list()
for (m in c("FE", "DL", "REML")) {
  res <- rma(yi, vi, data = rr_bcg, method = m, control = tight)
  l <- leave1out(res)
  l1o[[length(l1o) + 1]] <- list(dataset = "dat.bcg", measure = "RR", method = m, result = list(
    estimate = vec(l$estimate), se = vec(l$se), ci_low = vec(l$ci.lb), ci_high = vec(l$ci.ub),
    q = vec(l$Q), q_p = vec(l$Qp), tau2 = vec(l$tau2), i2 = vec(l$I2), h2 = vec(l$H2)))
}

# Egger-type regression test: regtest's default (a mixed-effects meta-regression on the standard error,
# REML) and the classical Egger test (model = "lm")
reg <- list()
for (e in esc) {
  if (!(e$measure %in% c("OR", "RR", "SMD", "PLO"))) next
  yi <- unlist(e$yi); vi <- unlist(e$vi)
  for (model in c("rma", "lm")) {
    r <- regtest(yi, vi, model = model, control = tight)
    reg[[length(reg) + 1]] <- list(dataset = e$dataset, measure = e$measure, model = model,
      result = list(zval = r$zval, pval = r$pval, dfs = if (is.null(r$dfs)) NULL else r$dfs,
                    limit_estimate = r$est, limit_ci_low = r$ci.lb, limit_ci_high = r$ci.ub))
  }
}

out <- list(
  generator = "tests/reference/metafor_reference.R",
  metafor = as.character(packageVersion("metafor")), metadat = as.character(packageVersion("metadat")),
  R = R.version.string, control_for_iterative = tight,
  datasets = datasets, escalc = esc, rma = models, mh = mh, subgroups = subg, leave1out = l1o, regtest = reg)
writeLines(js(out), "tests/reference/metafor_reference.json")

# the demonstration review (examples/bcg-vaccine): dat.bcg verbatim, and the same trials as rows of
# reviewkit's extraction sheet (arm-level counts), each row saying which dat.bcg trial it copies
dir.create("examples/bcg-vaccine/references", recursive = TRUE, showWarnings = FALSE)
write.csv(bcg, "examples/bcg-vaccine/references/dat.bcg.csv", row.names = FALSE)
sheet <- data.frame(
  study = paste(bcg$author, bcg$year), nct_id = "", design = paste(bcg$alloc, "allocation"), population = "",
  subgroup = "", line = "", arm = "BCG vaccine", n = bcg$tpos + bcg$tneg, endpoint = "Other", statistic = "counts",
  value = "", unit = "", ci_low = "", ci_high = "", ci_level = "", events = bcg$tpos,
  where = sprintf("metafor dat.bcg trial %d: tpos %d, tneg %d, cpos %d, cneg %d", bcg$trial, bcg$tpos, bcg$tneg,
                  bcg$cpos, bcg$cneg),
  source = "colditz1994", outcome = "Tuberculosis", comparator = "No vaccine", comparator_n = bcg$cpos + bcg$cneg,
  comparator_events = bcg$cpos, mean = "", sd = "", comparator_mean = "", comparator_sd = "")
write.csv(sheet, "examples/bcg-vaccine/references/evidence.csv", row.names = FALSE, na = "")
cat("wrote tests/reference/metafor_reference.json and examples/bcg-vaccine/references/{dat.bcg,evidence}.csv\n")
