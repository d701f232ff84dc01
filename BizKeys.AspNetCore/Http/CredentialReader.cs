using System.Text;
using Microsoft.AspNetCore.Http;

namespace BizKeys.AspNetCore;

public enum CredentialStatus
{
    /// <summary>No API credentials at all: another scheme may apply.</summary>
    None,
    Present,
    /// <summary>Something was sent but cannot be a key and secret.</summary>
    Malformed,
    /// <summary>Credentials in the query string: refused outright (they end up in logs and browser history).</summary>
    InQueryString,
}

public readonly record struct Credentials(CredentialStatus Status, string Key = "", string Secret = "");

/// <summary>Reads <c>Authorization: Basic base64(key:secret)</c> or <c>X-API-Key</c> + <c>X-API-Secret</c>.</summary>
public static class CredentialReader
{
    public const string KeyHeader = "X-API-Key";
    public const string SecretHeader = "X-API-Secret";
    private const int MaxHeaderLength = 512;
    private static readonly string[] QueryNames = ["key", "secret", "api_key", "apikey", "api_secret", "apisecret", "x-api-key", "x-api-secret", "access_token"];

    public static Credentials Read(HttpRequest request)
    {
        if (request.QueryString.HasValue)
        {
            foreach (var name in QueryNames)
            {
                if (request.Query.ContainsKey(name))
                    return new(CredentialStatus.InQueryString);
            }
        }
        var authorization = request.Headers.Authorization;
        var hasBasic = false;
        foreach (var value in authorization)
            hasBasic |= value?.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase) == true;
        var keyHeader = request.Headers[KeyHeader];
        var secretHeader = request.Headers[SecretHeader];
        var hasHeaders = keyHeader.Count > 0 || secretHeader.Count > 0;
        if (!hasBasic && !hasHeaders)
            return new(CredentialStatus.None);
        if (hasBasic && hasHeaders)
            return new(CredentialStatus.Malformed);
        if (hasHeaders)
        {
            if (keyHeader.Count != 1 || secretHeader.Count != 1)
                return new(CredentialStatus.Malformed);
            return Checked(keyHeader[0], secretHeader[0]);
        }
        if (authorization.Count != 1)
            return new(CredentialStatus.Malformed);
        return ParseBasic(authorization[0]!);
    }

    private static Credentials ParseBasic(string header)
    {
        if (header.Length > MaxHeaderLength)
            return new(CredentialStatus.Malformed);
        var encoded = header["Basic ".Length..].Trim();
        Span<byte> bytes = stackalloc byte[MaxHeaderLength];
        if (!Convert.TryFromBase64String(encoded, bytes, out var length))
            return new(CredentialStatus.Malformed);
        string decoded;
        try
        {
            decoded = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes[..length]);
        }
        catch (DecoderFallbackException)
        {
            return new(CredentialStatus.Malformed);
        }
        var colon = decoded.IndexOf(':');
        return colon < 0 ? new(CredentialStatus.Malformed) : Checked(decoded[..colon], decoded[(colon + 1)..]);
    }

    private static Credentials Checked(string? key, string? secret) =>
        string.IsNullOrEmpty(key) || string.IsNullOrEmpty(secret) || key.Length > MaxHeaderLength || secret.Length > MaxHeaderLength
            ? new(CredentialStatus.Malformed)
            : new(CredentialStatus.Present, key, secret);
}
