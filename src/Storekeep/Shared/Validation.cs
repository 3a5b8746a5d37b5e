using System.Net.Mail;
using System.Text.RegularExpressions;

namespace Storekeep.Shared;

/// <summary>
/// Collects field errors and throws them together, so a client learns everything wrong with a
/// request in one response. Field names are the JSON paths a client sent (camelCase).
/// </summary>
public sealed partial class Validation
{
    public const int MaxQuantity = 1_000_000;
    public const decimal MaxMoney = 1_000_000_000m;

    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool HasErrors => _errors.Count > 0;

    /// <summary>Messages so far: a caller validating rows in turn compares it before and after a row.</summary>
    public int ErrorCount => _errors.Values.Sum(l => l.Count);

    /// <summary>Every message so far with its field, in the order the fields were first seen.</summary>
    public IEnumerable<(string Field, string Message)> Messages => _errors.SelectMany(e => e.Value.Select(m => (e.Key, m)));

    public Validation Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            _errors[field] = list = [];
        }

        list.Add(message);
        return this;
    }

    /// <summary>Required text, trimmed, at most <paramref name="maxLength"/> characters.</summary>
    public string Required(string field, string? value, int maxLength = 200)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Add(field, $"'{field}' is required.");
            return "";
        }

        return Text(field, value, maxLength)!;
    }

    /// <summary>
    /// Text of several lines (a message body): trimmed, line endings made "\n"; line breaks and tabs
    /// allowed, other control characters not. Blank is null, or an error when <paramref name="required"/>.
    /// </summary>
    public string? MultilineText(string field, string? value, int maxLength, bool required)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
            {
                Add(field, $"'{field}' is required.");
            }

            return null;
        }

        var text = value.Trim().ReplaceLineEndings("\n");
        if (text.Length > maxLength)
        {
            Add(field, $"'{field}' must be at most {maxLength} characters.");
        }
        else if (text.Any(c => char.IsControl(c) && c is not '\n' and not '\t'))
        {
            Add(field, $"'{field}' must not contain control characters other than line breaks and tabs.");
        }

        return text;
    }

    /// <summary>Optional text: null stays null; blank becomes null; too long is an error.</summary>
    public string? Text(string field, string? value, int maxLength = 200)
    {
        if (value is null)
        {
            return null;
        }

        var trimmed = value.Trim();
        if (trimmed.Length > maxLength)
        {
            Add(field, $"'{field}' must be at most {maxLength} characters.");
        }
        else if (trimmed.Any(char.IsControl))
        {
            Add(field, $"'{field}' must not contain control characters.");
        }

        return trimmed.Length == 0 ? null : trimmed;
    }

    public int Quantity(string field, int? value, bool allowNegative = false, bool allowZero = false)
    {
        if (value is null)
        {
            Add(field, $"'{field}' is required.");
            return 0;
        }

        var v = value.Value;
        if (Math.Abs((long)v) > MaxQuantity)
        {
            Add(field, $"'{field}' must be between {(allowNegative ? -MaxQuantity : 1)} and {MaxQuantity}.");
        }
        else if (v == 0 && !allowZero)
        {
            Add(field, $"'{field}' must not be zero.");
        }
        else if (v < 0 && !allowNegative)
        {
            Add(field, $"'{field}' must be positive.");
        }

        return v;
    }

    /// <summary>A money amount in major units: not negative, at most two decimals, within bounds.</summary>
    public decimal Money(string field, decimal? value, bool required = true, bool allowZero = true)
    {
        if (value is null)
        {
            if (required)
            {
                Add(field, $"'{field}' is required.");
            }

            return 0m;
        }

        var v = value.Value;
        if (v < 0 || v > MaxMoney)
        {
            Add(field, $"'{field}' must be between 0 and {MaxMoney:0}.");
        }
        else if (v == 0 && !allowZero)
        {
            Add(field, $"'{field}' must be greater than zero.");
        }
        else if (decimal.Round(v, 2) != v)
        {
            Add(field, $"'{field}' must have at most two decimal places.");
        }

        return v;
    }

    public string? Email(string field, string? value, bool required = true)
    {
        var text = required ? Required(field, value, 254) : Text(field, value, 254);
        if (text is not null && text.Length > 0 && !IsEmail(text))
        {
            Add(field, $"'{field}' must be a valid email address.");
        }

        return text?.ToLowerInvariant();
    }

    /// <summary>A short identifier: letters, digits, '-', '_', '.', '/'; no spaces.</summary>
    public string Code(string field, string? value, int maxLength = 64, bool required = true)
    {
        var text = required ? Required(field, value, maxLength) : Text(field, value, maxLength) ?? "";
        if (text.Length > 0 && !CodePattern().IsMatch(text))
        {
            Add(field, $"'{field}' may contain only letters, digits, '-', '_', '.' and '/'.");
        }

        return text;
    }

    public void ThrowIfInvalid()
    {
        if (HasErrors)
        {
            throw new RequestValidationException(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));
        }
    }

    private static bool IsEmail(string text) =>
        MailAddress.TryCreate(text, out var address) && address.Address == text && text.Contains('.', StringComparison.Ordinal);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._/-]*$")]
    private static partial Regex CodePattern();
}
