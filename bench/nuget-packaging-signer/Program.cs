// SPDX-License-Identifier: MIT
// The reference of `npm run bench:sign`: NuGet.Packaging's own in-process repository signer
// (SigningUtility.SignAsync with a RepositorySignPackageRequest, no timestamp), timed per package.
//
// Usage: NuGetPackagingSigner <pfx> <password> <service index url> <warm-up runs> (<package> <runs>)...
// Prints one JSON object: {"<package>": {"runs": n, "medianMs": m}, ...}.

using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using NuGet.Common;
using NuGet.Packaging.Signing;

if (args.Length < 6 || (args.Length - 4) % 2 != 0)
{
    Console.Error.WriteLine("usage: NuGetPackagingSigner <pfx> <password> <service index url> <warm-up runs> (<package> <runs>)...");
    return 2;
}

using var certificate = X509CertificateLoader.LoadPkcs12FromFile(args[0], args[1], X509KeyStorageFlags.EphemeralKeySet);
var serviceIndex = new Uri(args[2]);
var warmUps = int.Parse(args[3]);
var signatureProvider = new X509SignatureProvider(timestampProvider: null);
// One request for every package, as `dotnet nuget sign` does: the certificate chain is built once.
using var request = new RepositorySignPackageRequest(
    certificate, HashAlgorithmName.SHA256, HashAlgorithmName.SHA256, serviceIndex, packageOwners: null);

async Task<double> SignOnce(string input)
{
    // A new output file each time, as a feed storing a new package writes one.
    var output = Path.Combine(Path.GetDirectoryName(input)!, $"nuget-{Guid.NewGuid():N}.nupkg");
    var watch = Stopwatch.StartNew();
    using (var options = SigningOptions.CreateFromFilePaths(input, output, overwrite: false, signatureProvider, NullLogger.Instance))
    {
        await SigningUtility.SignAsync(options, request, CancellationToken.None);
    }
    var elapsed = watch.Elapsed.TotalMilliseconds;
    File.Delete(output);
    return elapsed;
}

var results = new Dictionary<string, object>();
for (var index = 4; index < args.Length; index += 2)
{
    var package = args[index];
    var runs = int.Parse(args[index + 1]);
    for (var warmUp = 0; warmUp < warmUps; warmUp++) await SignOnce(package);
    var times = new List<double>();
    for (var run = 0; run < runs; run++) times.Add(await SignOnce(package));
    times.Sort();
    results[package] = new { runs, medianMs = times[times.Count / 2] };
}
Console.WriteLine(JsonSerializer.Serialize(results));
return 0;
