module cproftop.test/hot

go 1.16
