namespace BizKeys.Tests.Browser;

/// <summary>A BizKeys nobody has set up yet.</summary>
public sealed class FreshInstallApp() : BrowserApp(withOwner: false);
