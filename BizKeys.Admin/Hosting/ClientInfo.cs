namespace BizKeys.Admin.Hosting;

/// <summary>
/// Facts about the browser that are only known on the first HTTP request of a circuit (its IP address), kept for
/// the audit log once the page is interactive and no HttpContext is left.
/// </summary>
public sealed class ClientInfo
{
    public string? Ip { get; set; }
}
