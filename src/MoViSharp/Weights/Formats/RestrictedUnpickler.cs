using System.Buffers.Binary;
using System.Text;

namespace MoViSharp.Weights.Formats;

/// <summary>
/// A pickle reader for the subset of the protocol that <c>torch.save</c> writes (protocols 2 to 5, binary opcodes only).
/// It never imports or runs anything: every global goes through <see cref="IPickleHost.ResolveGlobal"/>, which refuses what it
/// does not know, and REDUCE only hands arguments to the host's own builders. Memo, stack, strings and containers are bounded,
/// and every opcode consumes input, so any input ends in a value or a <see cref="CheckpointFormatException"/>. It never recurses,
/// so nesting depth costs no call stack; depth is bounded by <see cref="TorchCheckpointLimits.MaxStackDepth"/>.
/// </summary>
internal sealed class RestrictedUnpickler
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly byte[] _data;
    private readonly string _fileName;
    private readonly string _field;
    private readonly IPickleHost _host;
    private readonly TorchCheckpointLimits _limits;
    private readonly List<object?> _stack = [];
    private readonly Stack<int> _marks = new();
    private readonly Dictionary<long, object?> _memo = [];
    private int _position;
    private int _opcodeAt;

    /// <param name="data">The bytes holding the pickle.</param>
    /// <param name="fileName">Names the file in every error message.</param>
    /// <param name="field">Names the pickle in every error message (for example <c>archive/data.pkl</c>).</param>
    /// <param name="start">Where the pickle starts in <paramref name="data"/> (legacy files hold several pickles back to back).</param>
    public RestrictedUnpickler(byte[] data, string fileName, string field, IPickleHost host, TorchCheckpointLimits limits, int start = 0)
    {
        _data = data;
        _fileName = fileName;
        _field = field;
        _host = host;
        _limits = limits;
        _position = start;
    }

    /// <summary>The byte after the last one read: after <see cref="Load"/>, the byte after STOP.</summary>
    public int Position => _position;

    /// <summary>Runs the pickle program up to STOP and returns the value it leaves.</summary>
    public object? Load()
    {
        while (true)
        {
            _opcodeAt = _position;
            byte op = ReadByte();
            switch (op)
            {
                case 0x80: // PROTO
                    byte protocol = ReadByte();
                    if (protocol is < 2 or > 5)
                        throw Error($"pickle protocol {protocol} is not supported (2 to 5 are)");
                    break;
                case 0x95: // FRAME: a length hint only
                    ReadSpan(8);
                    break;
                case 0x2E: // STOP
                    if (_marks.Count != 0 || _stack.Count != 1)
                        throw Error($"STOP leaves {_stack.Count} values and {_marks.Count} marks on the stack instead of one value");
                    return _stack[0];

                case 0x28: // MARK
                    if (_marks.Count >= _limits.MaxStackDepth)
                        throw Error($"more than {_limits.MaxStackDepth} nested marks");
                    _marks.Push(_stack.Count);
                    break;
                case 0x30: // POP
                    if (_marks.Count > 0 && _marks.Peek() == _stack.Count)
                        _marks.Pop();
                    else
                        Pop();
                    break;
                case 0x31: // POP_MARK
                    PopToMark();
                    break;
                case 0x32: // DUP
                    Push(Peek());
                    break;

                case 0x4E: Push(null); break;          // NONE
                case 0x88: Push(true); break;          // NEWTRUE
                case 0x89: Push(false); break;         // NEWFALSE
                case 0x4B: Push((long)ReadByte()); break;                                          // BININT1
                case 0x4D: Push((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadSpan(2))); break; // BININT2
                case 0x4A: Push((long)BinaryPrimitives.ReadInt32LittleEndian(ReadSpan(4))); break;  // BININT
                case 0x8A: Push(ReadLong(ReadByte())); break;                                       // LONG1
                case 0x8B: Push(ReadLong(ReadLength(4, 8, "LONG4"))); break;                        // LONG4
                case 0x47: Push(BinaryPrimitives.ReadDoubleBigEndian(ReadSpan(8))); break;          // BINFLOAT

                case 0x8C: Push(ReadString(ReadByte())); break;                                     // SHORT_BINUNICODE
                case 0x58: Push(ReadString(ReadLength(4, _limits.MaxStringBytes, "string"))); break; // BINUNICODE
                case 0x8D: Push(ReadString(ReadLength(8, _limits.MaxStringBytes, "string"))); break; // BINUNICODE8
                case 0x43: Push(ReadSpan(ReadByte()).ToArray()); break;                            // SHORT_BINBYTES
                case 0x42: Push(ReadSpan(ReadLength(4, _limits.MaxStringBytes, "bytes")).ToArray()); break; // BINBYTES

                case 0x7D: Push(new PickleDict()); break;  // EMPTY_DICT
                case 0x5D: Push(new PickleList()); break;  // EMPTY_LIST
                case 0x29: Push(PickleTuple.Empty); break; // EMPTY_TUPLE
                case 0x74: Push(new PickleTuple(PopToMark())); break; // TUPLE
                case 0x85: Push(new PickleTuple([Pop()])); break;     // TUPLE1
                case 0x86: { var b = Pop(); var a = Pop(); Push(new PickleTuple([a, b])); break; }             // TUPLE2
                case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); Push(new PickleTuple([a, b, c])); break; } // TUPLE3
                case 0x6C: // LIST
                {
                    var list = new PickleList();
                    list.AddRange(PopToMark());
                    Push(list);
                    break;
                }
                case 0x64: // DICT
                {
                    var dict = new PickleDict();
                    SetItems(dict, PopToMark());
                    Push(dict);
                    break;
                }
                case 0x61: // APPEND
                {
                    var item = Pop();
                    AppendTo(Peek(), [item]);
                    break;
                }
                case 0x65: // APPENDS
                {
                    var items = PopToMark();
                    AppendTo(Peek(), items);
                    break;
                }
                case 0x73: // SETITEM
                {
                    var value = Pop();
                    var key = Pop();
                    SetItems(Peek(), [key, value]);
                    break;
                }
                case 0x75: // SETITEMS
                {
                    var items = PopToMark();
                    SetItems(Peek(), items);
                    break;
                }

                case 0x71: Memoize(ReadByte()); break;                                              // BINPUT
                case 0x72: Memoize(BinaryPrimitives.ReadUInt32LittleEndian(ReadSpan(4))); break;     // LONG_BINPUT
                case 0x94: Memoize(_memo.Count); break;                                             // MEMOIZE
                case 0x68: Push(Recall(ReadByte())); break;                                         // BINGET
                case 0x6A: Push(Recall(BinaryPrimitives.ReadUInt32LittleEndian(ReadSpan(4)))); break; // LONG_BINGET

                case 0x63: // GLOBAL
                {
                    string module = ReadLine();
                    string name = ReadLine();
                    Push(_host.ResolveGlobal(module, name));
                    break;
                }
                case 0x93: // STACK_GLOBAL
                {
                    var name = Pop();
                    var module = Pop();
                    if (module is not string m || name is not string n)
                        throw Error("STACK_GLOBAL expects two strings");
                    Push(_host.ResolveGlobal(m, n));
                    break;
                }
                case 0x52: // REDUCE
                {
                    var args = Pop() as PickleTuple ?? throw Error("REDUCE expects an argument tuple");
                    var callable = Pop();
                    Push(_host.Call(callable, args));
                    break;
                }
                case 0x62: // BUILD
                {
                    var state = Pop();
                    if (Peek() is not PickleDict dict)
                        throw Error($"BUILD on {Describe(Peek())} is not supported");
                    dict.BuildState = state;
                    break;
                }
                case 0x51: // BINPERSID
                    Push(_host.PersistentLoad(Pop()));
                    break;

                default:
                    throw Error($"pickle opcode 0x{op:x2} is not supported");
            }
        }
    }

    /// <summary>A short Python-like description of a value's type, for messages.</summary>
    public static string Describe(object? value) => value switch
    {
        null => "None",
        string => "str",
        long => "int",
        double => "float",
        bool => "bool",
        byte[] => "bytes",
        PickleTuple => "tuple",
        PickleList => "list",
        PickleDict { IsOrderedDict: true } => "OrderedDict",
        PickleDict => "dict",
        PickleGlobal g => g.FullName,
        _ => value.GetType().Name,
    };

    private CheckpointFormatException Error(string message) => new(_fileName, _field, $"{_field}: {message} (at byte {_opcodeAt}).");

    private byte ReadByte()
    {
        if (_position >= _data.Length)
            throw Error("pickle ends without STOP");
        return _data[_position++];
    }

    private ReadOnlySpan<byte> ReadSpan(int length)
    {
        if (length > _data.Length - _position)
            throw Error($"pickle ends inside a {length}-byte argument");
        var span = _data.AsSpan(_position, length);
        _position += length;
        return span;
    }

    private int ReadLength(int width, int max, string what)
    {
        var span = ReadSpan(width);
        ulong length = width == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(span) : BinaryPrimitives.ReadUInt64LittleEndian(span);
        if (length > (ulong)max)
            throw Error($"{what} of {length} bytes is longer than the limit of {max}");
        return (int)length;
    }

    private long ReadLong(int length)
    {
        if (length > 8)
            throw Error($"integer of {length} bytes does not fit in 64 bits");
        var span = ReadSpan(length);
        if (length == 0)
            return 0;
        long value = (span[length - 1] & 0x80) != 0 ? -1L : 0L; // sign-extend from the top byte
        for (int i = length - 1; i >= 0; i--)
            value = (value << 8) | span[i];
        return value;
    }

    private string ReadString(int length)
    {
        var span = ReadSpan(length);
        try
        {
            return StrictUtf8.GetString(span);
        }
        catch (DecoderFallbackException)
        {
            throw Error("string is not valid UTF-8");
        }
    }

    private string ReadLine()
    {
        const int MaxLine = 256;
        int end = Array.IndexOf(_data, (byte)'\n', _position, Math.Min(MaxLine, _data.Length - _position));
        if (end < 0)
            throw Error($"GLOBAL name is unterminated or longer than {MaxLine} bytes");
        string line = ReadString(end - _position);
        _position = end + 1;
        return line;
    }

    private void Push(object? value)
    {
        if (_stack.Count >= _limits.MaxStackDepth)
            throw Error($"more than {_limits.MaxStackDepth} values on the stack");
        _stack.Add(value);
    }

    private object? Pop()
    {
        if (_stack.Count == 0 || (_marks.Count > 0 && _marks.Peek() == _stack.Count))
            throw Error("stack underflow");
        var value = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return value;
    }

    private object? Peek()
    {
        if (_stack.Count == 0 || (_marks.Count > 0 && _marks.Peek() == _stack.Count))
            throw Error("stack underflow");
        return _stack[^1];
    }

    private object?[] PopToMark()
    {
        if (_marks.Count == 0)
            throw Error("no MARK to pop to");
        int at = _marks.Pop();
        int count = _stack.Count - at;
        if (count > _limits.MaxContainerElements)
            throw Error($"{count} items exceed the limit of {_limits.MaxContainerElements} per container");
        var items = _stack.GetRange(at, count).ToArray();
        _stack.RemoveRange(at, count);
        return items;
    }

    private void AppendTo(object? target, object?[] items)
    {
        if (target is not PickleList list)
            throw Error($"APPEND to {Describe(target)} is not supported");
        if ((long)list.Count + items.Length > _limits.MaxContainerElements)
            throw Error($"list grows beyond the limit of {_limits.MaxContainerElements} items");
        list.AddRange(items);
    }

    private void SetItems(object? target, object?[] items)
    {
        if (target is not PickleDict dict)
            throw Error($"SETITEM on {Describe(target)} is not supported");
        if (items.Length % 2 != 0)
            throw Error("SETITEMS has a key without a value");
        if ((long)dict.Count + items.Length / 2 > _limits.MaxContainerElements)
            throw Error($"dict grows beyond the limit of {_limits.MaxContainerElements} items");
        for (int i = 0; i < items.Length; i += 2)
        {
            var key = items[i];
            if (key is not (string or long or bool or PickleTuple))
                throw Error($"dict key of type {Describe(key)} is not supported");
            dict.Set(key, items[i + 1]);
        }
    }

    private void Memoize(long index)
    {
        if (!_memo.ContainsKey(index) && _memo.Count >= _limits.MaxMemoEntries)
            throw Error($"more than {_limits.MaxMemoEntries} memo entries");
        _memo[index] = Peek();
    }

    private object? Recall(long index) =>
        _memo.TryGetValue(index, out var value) ? value : throw Error($"memo entry {index} is read before it is written");
}
