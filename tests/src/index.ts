// Cross-package scenarios live in this private package's tests.
export {};
