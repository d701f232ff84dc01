namespace BizKeys.Core;

/// <summary>CSV cells per RFC 4180, with spreadsheet formulas neutralised.</summary>
public static class Csv
{
    public static string Cell(string? value)
    {
        if (string.IsNullOrEmpty(value))
            return "";
        // A cell starting with = + - @ would run as a formula in a spreadsheet.
        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
            value = "'" + value;
        return value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
    }
}
