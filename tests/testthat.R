library(testthat)
library(probml)

test_check("probml")
