package blueprint

// For the tests of package blueprint_test, which load drafts with the
// generator (which imports this package).
var (
	WorkedExample = workedExample
	GoldenOptions = goldenOptions
)
