// Package readme keeps the README's Go code compiling: snippets_test.go
// holds every Go block of README.md inside functions that the compiler
// checks, and readme_test.go fails when a block of the README is not found
// there, line for line.
package readme
