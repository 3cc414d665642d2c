module github.com/jobplane/jobplane

go 1.26.8
