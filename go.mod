module github.com/lanehttp/lane

go 1.26
