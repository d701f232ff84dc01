using System.Text.Encodings.Web;
using BizKeys.Core.Configuration;
using Microsoft.Extensions.Options;

namespace BizKeys.Core.Mail;

/// <summary>Links in emails, on <c>BizKeys:PublicUrl</c> — never on the address a request came in on, which its sender chooses.</summary>
public sealed class MailLinks(IOptions<BizKeysOptions> options)
{
    public string Base => (options.Value.PublicUrl ?? "http://localhost:5080").TrimEnd('/');

    public string To(string pathAndQuery) => Base + pathAndQuery;

    /// <summary>The product's fallback address: the first of the server's <c>Urls</c>, with a wildcard host read as this machine.</summary>
    public static string FromServerUrls(string? urls)
    {
        var first = (urls ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        if (first is null)
            return "http://localhost:5080";
        return first.Replace("://*", "://localhost", StringComparison.Ordinal).Replace("://+", "://localhost", StringComparison.Ordinal)
            .Replace("://0.0.0.0", "://localhost", StringComparison.Ordinal).Replace("://[::]", "://localhost", StringComparison.Ordinal);
    }
}

/// <summary>Builds the plain-text and HTML parts of a mail from paragraphs, a button and a footer, escaping every value.</summary>
public sealed class MailBuilder(string subject)
{
    private readonly System.Text.StringBuilder _text = new();
    private readonly System.Text.StringBuilder _html = new();

    public MailBuilder Paragraph(string text)
    {
        _text.Append(text).Append("\n\n");
        _html.Append("<p style=\"margin:0 0 16px\">").Append(HtmlEncoder.Default.Encode(text)).Append("</p>");
        return this;
    }

    public MailBuilder List(IEnumerable<string> items)
    {
        _html.Append("<ul style=\"margin:0 0 16px\">");
        foreach (var item in items)
        {
            _text.Append("- ").Append(item).Append('\n');
            _html.Append("<li>").Append(HtmlEncoder.Default.Encode(item)).Append("</li>");
        }
        _text.Append('\n');
        _html.Append("</ul>");
        return this;
    }

    public MailBuilder Link(string label, string url)
    {
        _text.Append(label).Append(": ").Append(url).Append("\n\n");
        _html.Append("<p style=\"margin:0 0 24px\"><a href=\"").Append(HtmlEncoder.Default.Encode(url))
            .Append("\" style=\"background:#3949ab;color:#ffffff;padding:10px 16px;border-radius:4px;text-decoration:none;display:inline-block\">")
            .Append(HtmlEncoder.Default.Encode(label)).Append("</a></p>");
        return this;
    }

    public MailBuilder Footer(string text, string? linkLabel = null, string? url = null)
    {
        _text.Append("--\n").Append(text);
        _html.Append("<hr style=\"border:none;border-top:1px solid #dddddd;margin:24px 0 12px\"><p style=\"margin:0;color:#555555;font-size:13px\">")
            .Append(HtmlEncoder.Default.Encode(text));
        if (linkLabel is not null && url is not null)
        {
            _text.Append(' ').Append(linkLabel).Append(": ").Append(url);
            _html.Append(" <a href=\"").Append(HtmlEncoder.Default.Encode(url)).Append("\" style=\"color:#3949ab\">")
                .Append(HtmlEncoder.Default.Encode(linkLabel)).Append("</a>");
        }
        _text.Append('\n');
        _html.Append("</p>");
        return this;
    }

    public MailContent Build() => new(subject, _text.ToString(),
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + HtmlEncoder.Default.Encode(subject) + "</title></head>" +
        "<body style=\"font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1a1a1a;line-height:1.5;max-width:600px;margin:0 auto;padding:24px\">" +
        _html + "</body></html>");
}
