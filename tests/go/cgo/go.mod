module cproftop.test/cgo

go 1.16
