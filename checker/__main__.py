from checker.cli import console

console()
