// ESLint (flat config) with the rules Odoo 18.0 applies to its own JavaScript
// (addons/web/tooling/_eslintrc.json); formatting is checked by Prettier (prettier.config.cjs).
// The packages are found through NODE_PATH (scripts/dev.sh lint, pre-commit's node environment).
const js = require("@eslint/js");
const globals = require("globals");

module.exports = [
    {
        ignores: ["static/lib/**", "static/description/**", "build/**", "dist/**"],
    },
    js.configs.recommended,
    {
        files: ["**/*.js"],
        languageOptions: {
            ecmaVersion: 2022,
            sourceType: "module",
            globals: {
                ...globals.browser,
                odoo: "readonly",
                owl: "readonly",
                luxon: "readonly",
                QUnit: "readonly",
            },
        },
        rules: {
            "no-undef": "error",
            "no-restricted-globals": ["error", "event", "self"],
            "no-const-assign": "error",
            "no-debugger": "error",
            "no-dupe-class-members": "error",
            "no-dupe-keys": "error",
            "no-dupe-args": "error",
            "no-dupe-else-if": "error",
            "no-unsafe-negation": "error",
            "no-duplicate-imports": "error",
            "valid-typeof": "error",
            "no-unused-vars": ["error", {vars: "all", args: "none", ignoreRestSiblings: false, caughtErrors: "all"}],
            curly: ["error", "all"],
            "no-restricted-syntax": ["error", "PrivateIdentifier"],
            "prefer-const": ["error", {destructuring: "all", ignoreReadBeforeAssign: true}],
        },
    },
];
