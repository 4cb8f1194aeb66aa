using System.Buffers.Binary;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Orleans.Storage;

namespace Webhooks.Secrets;

/// <summary>Seals what another serializer produces with AES-256-GCM before it is stored, so that a copy of the
/// database (a backup, a replica, a dump) holds no endpoint secret, header value or template in the clear.</summary>
/// <remarks>Layout: "whs1", the key id (the first 4 bytes of the key's SHA-256), a 12-byte random nonce, the 16-byte
/// tag, the ciphertext. Rows without the prefix were written before sealing was configured and are read as they
/// are; the next write seals them. Written here because Orleans' storage serializers have no encrypting wrapper and
/// ASP.NET Data Protection would keep its keys in the same database.</remarks>
public sealed class SealedGrainStorageSerializer : IGrainStorageSerializer
{
    private static readonly byte[] Magic = "whs1"u8.ToArray();
    private const int KeyIdSize = 4;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int HeaderSize = 4 + KeyIdSize + NonceSize + TagSize;

    private readonly IGrainStorageSerializer _inner;
    private readonly (uint Id, byte[] Key) _current;
    private readonly Dictionary<uint, byte[]> _keys = [];

    public SealedGrainStorageSerializer(IGrainStorageSerializer inner, IOptions<SecretsOptions> options)
    {
        _inner = inner;
        var settings = options.Value;
        var current = Convert.FromBase64String(settings.CurrentKey() ?? throw new InvalidOperationException("Secrets:Key is not set"));
        _current = (KeyId(current), current);
        foreach (var key in settings.PreviousKeys.Select(k => Convert.FromBase64String(k.Trim())).Prepend(current))
        {
            _keys.TryAdd(KeyId(key), key);
        }
    }

    public BinaryData Serialize<T>(T? input)
    {
        var plain = _inner.Serialize(input).ToMemory().Span;
        var sealedBytes = new byte[HeaderSize + plain.Length];
        var output = sealedBytes.AsSpan();
        Magic.CopyTo(output);
        BinaryPrimitives.WriteUInt32BigEndian(output[4..], _current.Id);
        var nonce = output.Slice(4 + KeyIdSize, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_current.Key, TagSize);
        aes.Encrypt(nonce, plain, output[HeaderSize..], output.Slice(4 + KeyIdSize + NonceSize, TagSize));
        return new BinaryData(sealedBytes);
    }

    public T? Deserialize<T>(BinaryData input)
    {
        var data = input.ToMemory().Span;
        if (data.Length < HeaderSize || !data[..4].SequenceEqual(Magic))
        {
            return _inner.Deserialize<T>(input);
        }

        var id = BinaryPrimitives.ReadUInt32BigEndian(data[4..]);
        if (!_keys.TryGetValue(id, out var key))
        {
            throw new CryptographicException($"stored state was sealed with key {id:x8}, which is neither Secrets:Key nor one of Secrets:PreviousKeys");
        }

        var plain = new byte[data.Length - HeaderSize];
        using var aes = new AesGcm(key, TagSize);
        aes.Decrypt(data.Slice(4 + KeyIdSize, NonceSize), data[HeaderSize..], data.Slice(4 + KeyIdSize + NonceSize, TagSize), plain);
        return _inner.Deserialize<T>(new BinaryData(plain));
    }

    /// <summary>The id a key is known by in sealed rows (no secret: four bytes of its hash).</summary>
    public static uint KeyId(byte[] key) => BinaryPrimitives.ReadUInt32BigEndian(SHA256.HashData(key));
}
