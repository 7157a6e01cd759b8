package history

// QuickPlan is the fast reader, for the tests that hold it to the decoder.
var QuickPlan = quickPlan
