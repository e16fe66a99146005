// Prettier, with the settings Odoo 18.0 formats its own JavaScript with
// (addons/web/tooling/_eslintrc.json), except the line length: 120 columns, as for the Python code
// (.ruff.toml). Checked on static/**/*.js by `scripts/dev.sh lint`.
module.exports = {
    tabWidth: 4,
    semi: true,
    singleQuote: false,
    printWidth: 120,
    trailingComma: "es5", // the default of the Prettier version Odoo 18.0 uses
    endOfLine: "auto",
};
