using System.Net;
using BizKeys.Core.Verification;

namespace BizKeys.AspNetCore;

/// <summary>What the handler learned about this request's key, for the challenge, the 403 and the usage count.</summary>
public sealed class ApiKeyFeature
{
    public CredentialStatus Status { get; set; }
    public VerificationResult? Result { get; set; }
    public IPAddress? Ip { get; set; }
    /// <summary>Set when the client address was refused for too many failed attempts, before any look-up.</summary>
    public TimeSpan? AddressRetryAfter { get; set; }
    /// <summary>Set when the key had to be read and its database could not be reached.</summary>
    public bool Unavailable { get; set; }
    /// <summary>Set when authorization refused a valid key: the permission it lacked.</summary>
    public string? MissingPermission { get; set; }
}
